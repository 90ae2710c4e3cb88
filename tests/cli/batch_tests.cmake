# Batches (several files, globs, --shard, -j across files) and what attnviz says on stderr.
set(BATCH ${CMAKE_CURRENT_BINARY_DIR}/batch_out)
file(MAKE_DIRECTORY ${BATCH})
set(BATCH_SH ${CMAKE_CURRENT_SOURCE_DIR}/cli)

# Shards 0/3, 1/3 and 2/3 write each file of the unsharded run once, byte for byte.
add_test(NAME cli.batch_shard_union_heatmap
         COMMAND bash ${BATCH_SH}/batch_shard_union.sh $<TARGET_FILE:attnviz> ${BATCH}/union_heatmap
                 ${DATA} heatmap --layer all --head all)
add_test(NAME cli.batch_shard_union_grid
         COMMAND bash ${BATCH_SH}/batch_shard_union.sh $<TARGET_FILE:attnviz> ${BATCH}/union_grid
                 ${DATA} grid)
# -j 1 and -j 2 over several files: the same bytes.
add_test(NAME cli.batch_jobs_identical_heatmap
         COMMAND bash ${BATCH_SH}/batch_jobs_identical.sh $<TARGET_FILE:attnviz> ${BATCH}/jobs_heatmap
                 ${DATA} heatmap "{stem}_L{layer}_H{head}.svg" --layer all --head all)
add_test(NAME cli.batch_jobs_identical_arrows
         COMMAND bash ${BATCH_SH}/batch_jobs_identical.sh $<TARGET_FILE:attnviz> ${BATCH}/jobs_arrows
                 ${DATA} arrows "{stem}.pdf" --layer 1 --head 0:2)
add_test(NAME cli.batch_jobs_identical_highlight
         COMMAND bash ${BATCH_SH}/batch_jobs_identical.sh $<TARGET_FILE:attnviz> ${BATCH}/jobs_highlight
                 ${DATA} highlight "{stem}.png" --layer 1 --fuse mean)
# Silent off a terminal and with --quiet; a progress bar on a pseudo-terminal and with --progress.
add_test(NAME cli.batch_terminal
         COMMAND bash ${BATCH_SH}/batch_terminal.sh $<TARGET_FILE:attnviz> ${BATCH}/terminal ${DATA})
# Several files in one table: each file's rows are its own run's rows behind a "file" column.
add_test(NAME cli.batch_tables
         COMMAND bash ${BATCH_SH}/batch_tables.sh $<TARGET_FILE:attnviz> ${BATCH}/tables ${DATA})
# The make -j, GNU parallel and Slurm recipes of docs/scaling.md, run as written there.
add_test(NAME cli.batch_scaling_recipes
         COMMAND bash ${BATCH_SH}/batch_recipes.sh $<TARGET_FILE:attnviz> ${BATCH}/recipes ${DATA}
                 ${PROJECT_SOURCE_DIR}/docs/scaling.md)

# Patterns that reach attnviz quoted are expanded by it (here CTest passes them unexpanded).
attnviz_cli_test(batch_glob EXIT 0 EXISTS ${BATCH}/glob_copy_offset.png
                 ARGS heatmap "${DATA}/*.np?" -o ${BATCH}/glob_{stem}.png)
attnviz_cli_test(batch_glob_second EXIT 0 EXISTS ${BATCH}/glob2_induction.png
                 ARGS heatmap "${DATA}/*.np?" -o ${BATCH}/glob2_{stem}.png)
attnviz_cli_test(batch_glob_no_match EXIT 3 STDERR "nothing_here_\\*\\.npy: expected files matching this pattern, found none"
                 ABSENT ${BATCH}/nomatch.png ARGS heatmap "${DATA}/nothing_here_*.npy" -o ${BATCH}/nomatch.png)
attnviz_cli_test(batch_needs_stem EXIT 2 STDERR "-o .*one\\.png: 2 figures would share a file name; put \\{stem\\} in it"
                 ABSENT ${BATCH}/one.png ARGS grid ${DATA}/induction.npy ${DATA}/copy_offset.npz -o ${BATCH}/one.png)
attnviz_cli_test(batch_heatmap_needs_stem EXIT 2 STDERR "put \\{stem\\} in it, or write one \\.pdf with a page each"
                 ABSENT ${BATCH}/one_h.png ARGS heatmap ${DATA}/induction.npy ${DATA}/copy_offset.npz -o ${BATCH}/one_h.png)
attnviz_cli_test(batch_grid_no_pages EXIT 2 STDERR "2 figures would share a file name; put \\{stem\\} in it$"
                 ABSENT ${BATCH}/grids.pdf ARGS grid ${DATA}/induction.npy ${DATA}/copy_offset.npz -o ${BATCH}/grids.pdf)
attnviz_cli_test(batch_heatmap_pages EXIT 0 EXISTS ${BATCH}/pages.pdf
                 ARGS heatmap ${DATA}/induction.npy ${DATA}/copy_offset.npz --head all -o ${BATCH}/pages.pdf)
attnviz_cli_test(batch_stdin_alone EXIT 2 STDERR "expected - \\(stdin\\) alone"
                 ARGS stats - ${DATA}/induction.npy)
attnviz_cli_test(batch_output_is_input EXIT 4 STDERR "refusing to overwrite the input file"
                 ARGS heatmap ${DATA}/induction.npy ${DATA}/copy_offset.npz --format png -o ${DATA}/{stem}.npy)
# --shard I/N: 0 <= I < N.
foreach(bad "3/3" "0/0" "x/2" "1" "-1/2" "1/2/3" "/2" "1/")
  string(MAKE_C_IDENTIFIER "${bad}" id)
  attnviz_cli_test(batch_bad_shard_${id} EXIT 2 STDERR "--shard: expected I/N with 0 <= I < N, such as 0/4, found '${bad}'"
                   ABSENT ${BATCH}/shard_${id}.png
                   ARGS heatmap ${DATA}/induction.npy --shard ${bad} -o ${BATCH}/shard_${id}.png)
endforeach()
attnviz_cli_test(batch_quiet_progress_exclusive EXIT 2 STDERR "--quiet.*--progress|--progress.*--quiet"
                 ARGS stats ${DATA}/induction.npy --quiet --progress)

# Figures that cannot be written: the lowest-numbered failure is reported, with -j 1 and -j 2.
add_test(NAME cli.batch_write_failure
         COMMAND bash ${BATCH_SH}/batch_write_failure.sh $<TARGET_FILE:attnviz> ${BATCH}/write_failure
                 ${DATA})
# Stale temporaries of killed runs go when their targets are written again; nothing else does.
add_test(NAME cli.batch_stale_temporaries
         COMMAND bash ${BATCH_SH}/stale_temporaries.sh $<TARGET_FILE:attnviz> ${BATCH}/stale ${DATA})

# --batch all: a figure per batch item ({batch}) and a "batch" column, equal to --batch N runs.
add_test(NAME cli.batch_items
         COMMAND bash ${BATCH_SH}/batch_items.sh $<TARGET_FILE:attnviz> ${BATCH}/items
                 ${FIX}/formats/npy_v1_f4le_c_rank5.npy ${FIX}/formats/npy_v1_f4le_c_rank4.npy)
# One unreadable file among several: the others are written, it is reported, exit 3.
add_test(NAME cli.batch_failures
         COMMAND bash ${BATCH_SH}/batch_failures.sh $<TARGET_FILE:attnviz> ${BATCH}/failures
                 ${DATA} ${FIX}/bad)
# --batch values are quoted as typed; commands that read one dump read one item.
set(id 0)
foreach(bad "x" "-1" "1e3" "+1" "99999999999999999999999999999999999999999999")
  math(EXPR id "${id} + 1")
  string(REPLACE "+" "[+]" bad_re "${bad}")
  attnviz_cli_test(batch_bad_value_${id} EXIT 2
                   STDERR "^attnviz: --batch: expected a batch item number such as 0 or all, found '${bad_re}'$"
                   ABSENT ${BATCH}/bad_value_${id}.png
                   ARGS heatmap ${DATA}/induction.npy --batch ${bad} -o ${BATCH}/bad_value_${id}.png)
endforeach()
attnviz_cli_test(batch_all_one_item_command EXIT 2
                 STDERR "--batch: expected a batch item number such as 0 \\(this command reads one item\\), found 'all'"
                 ARGS info ${FIX}/formats/npy_v1_f4le_c_rank5.npy --batch all)
attnviz_cli_test(batch_all_stdin EXIT 2 STDERR "--batch all: expected a file, found - \\(stdin\\)"
                 ARGS stats - --batch all)
