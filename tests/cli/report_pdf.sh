#!/usr/bin/env bash
# Checks a report PDF as a reader's tools see it: report_pdf.sh FILE PAGES "W x H" [TEXT_RE...]
# qpdf finds no damage, pdfinfo counts PAGES pages of W x H points, pdffonts lists at least one
# font and every font embedded, and pdftotext's text matches each TEXT_RE (extended regex).
set -eu
pdf=$1 pages=$2 size=$3
shift 3
qpdf --check "$pdf" >/dev/null || { echo "qpdf --check fails on $pdf"; exit 1; }
info=$(pdfinfo "$pdf")
got_pages=$(awk '/^Pages:/ {print $2}' <<<"$info")
[ "$got_pages" = "$pages" ] || { echo "$pdf has $got_pages pages, expected $pages"; exit 1; }
got_size=$(awk '/^Page size:/ {print $3, $4, $5}' <<<"$info")
[ "$got_size" = "$size" ] || { echo "$pdf pages are $got_size pt, expected $size"; exit 1; }
# Every page the same size, not only the first.
for page in $(seq 1 "$pages"); do
  each=$(pdfinfo -f "$page" -l "$page" "$pdf" | awk '/^Page.*size:/ {print $4, $5, $6}')
  [ "$each" = "$size" ] || { echo "page $page is $each pt, expected $size"; exit 1; }
done
fonts=$(pdffonts "$pdf" | tail -n +3)
[ -n "$fonts" ] || { echo "$pdf lists no fonts"; exit 1; }
# Columns from the end: emb sub uni object ID (names and types may hold spaces).
not_embedded=$(awk '$(NF-4) != "yes"' <<<"$fonts")
[ -z "$not_embedded" ] || { echo "fonts not embedded: $not_embedded"; exit 1; }
text=$(pdftotext -layout "$pdf" -)
for re in "$@"; do
  grep -Eq -- "$re" <<<"$text" || { echo "no text matching /$re/ in $pdf"; exit 1; }
done
echo "ok: $pdf, $pages pages of $size pt, $(wc -l <<<"$fonts") fonts embedded"
