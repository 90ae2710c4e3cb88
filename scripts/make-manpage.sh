#!/usr/bin/env bash
# Writes the attnviz(1) man page from the built program's own --help texts, so the page always
# lists the commands and options the program has. Run by the build (target `manpage`).
# Usage: make-manpage.sh ATTNVIZ OUT.1
set -euo pipefail
attnviz=$1 out=$2
version=$("$attnviz" --version | awk '{print $2}')
tmp="$out.tmp.$$"
trap 'rm -f "$tmp"' EXIT

# Roff for one --help text on stdin: the description, usage, options as tagged paragraphs and
# the examples as literal lines.
help_to_roff() {
  awk '
    function esc(s) { gsub(/\\/, "\\e", s); gsub(/-/, "\\-", s); if (s ~ /^[.\x27]/) s = "\\&" s; return s }
    function flush() { if (tag != "") { print ".TP"; print "\\fB" esc(tag) "\\fR"; print esc(desc) }; tag = ""; desc = "" }
    NR == 1 { print esc($0); next }
    /^Usage:/ { flush(); sub(/^Usage: /, ""); print ".PP"; print "\\fB" esc($0) "\\fR"; next }
    /^(Positionals|Options|Subcommands):$/ { flush(); section = $0; next }
    /^[A-Z][a-z]+ options:$/ { flush(); section = $0; print ".PP"; print "\\fI" $0 "\\fR"; next }
    /^Examples?:$/ { flush(); section = "examples"; print ".PP"; print "Examples:"; print ".nf"; print ".RS 4"; next }
    /^$/ { flush(); if (section == "examples") { print ".RE"; print ".fi"; section = "" }; next }
    section == "examples" { sub(/^  /, ""); print esc($0); next }
    section == "Subcommands:" { next }
    /^  [^ ]/ {
      flush(); line = substr($0, 3)
      split_at = match(line, /  +/)
      if (split_at) { tag = substr(line, 1, split_at - 1); desc = substr(line, split_at + RLENGTH) }
      else { tag = line; desc = "" }
      next }
    /^    +/ { sub(/^ +/, ""); desc = (desc == "" ? $0 : desc " " $0); next }
    { flush(); print esc($0) }
    END { flush(); if (section == "examples") { print ".RE"; print ".fi" } }'
}

commands=$("$attnviz" --help | awk '/^Subcommands:$/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { exit }')

{
  echo '.\" -*- coding: UTF-8 -*-'
  echo ".TH ATTNVIZ 1 \"\" \"attnviz $version\" \"User Commands\""
  echo ".SH NAME"
  echo "attnviz \\- analyse and draw attention tensors dumped from transformer models"
  echo ".SH SYNOPSIS"
  echo "\\fBattnviz\\fR \\fICOMMAND\\fR [\\fIOPTIONS\\fR] \\fIFILE\\fR..."
  echo ".br"
  echo "\\fBattnviz\\fR \\fICOMMAND\\fR \\fB\\-\\-help\\fR"
  echo ".br"
  echo "\\fBattnviz help\\fR [\\fICOMMAND\\fR]"
  echo ".SH DESCRIPTION"
  echo "attnviz reads attention dumped from PyTorch or Hugging Face models (npy, npz, JSON or"
  echo "safetensors files, with the tokens beside them), analyses it and renders figures as PNG, SVG"
  echo "and PDF. The same input gives the same bytes on every run; outputs are written to a"
  echo "temporary file and renamed into place, so no half\\-written file is ever left."
  echo ".SH COMMANDS"
  for command in $commands; do
    echo ".SS $command"
    "$attnviz" "$command" --help | help_to_roff
  done
  cat <<'EOF'
.SH EXIT STATUS
.TP
.B 0
success
.TP
.B 1
a \fBcheck\fR rule failed
.TP
.B 2
usage error (unknown option, bad value, output template without the fields it needs)
.TP
.B 3
the input cannot be read (missing file, bad format, shapes that do not match)
.TP
.B 4
an output cannot be written (missing or read\-only directory, disk full)
.SH ENVIRONMENT
.TP
.B SOURCE_DATE_EPOCH
the date recorded in PDF metadata (none by default), for reproducible builds
.TP
.B ATTNVIZ_MAX_MEMORY
the largest tensor attnviz materialises in memory (default 4G)
.TP
.B NO_COLOR
no colour in terminal output
.SH SEE ALSO
The documentation in docs/ of the source tree: cli.md, formats.md, analyses.md, figures.md,
cookbook.md.
EOF
} >"$tmp"
mv "$tmp" "$out"
trap - EXIT
