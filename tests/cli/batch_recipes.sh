#!/usr/bin/env bash
# Runs the make -j, GNU parallel and Slurm recipes of docs/scaling.md as they are written there
# (the block after each "<!-- recipe: NAME -->" line) on copies of the sample dumps, and checks
# their figures against one unsharded attnviz call. Slurm is not installed: its array tasks run in
# a shell loop with SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT set, as the doc says.
# Usage: batch_recipes.sh ATTNVIZ OUT_DIR DATA_DIR SCALING_MD
set -eu
attnviz=$1 out=$2 data=$3 doc=$4
export PATH="$(cd "$(dirname "$attnviz")" && pwd):$PATH"
recipe() {  # the code block after <!-- recipe: $1 -->
  awk -v name="$1" '$0 == "<!-- recipe: " name " -->" { found = 1; next }
    found && /^```/ { if (inside) exit; inside = 1; next }
    inside { print }' "$doc"
}
fresh() {  # an empty work folder with dumps/a.npy, b.npy, c.npy (sample dumps under new names)
  rm -rf "$out/$1"
  mkdir -p "$out/$1/dumps"
  ln -s "$data/induction.npy" "$out/$1/dumps/a.npy"
  ln -s "$data/induction.npy" "$out/$1/dumps/b.npy"
  ln -s "$data/induction.npy" "$out/$1/dumps/c.npy"
  cd "$out/$1"
}
expect_same() {  # expect_same DIR REFERENCE_DIR
  diff -r "$1" "$2" || { echo "$1 differs from $2"; exit 1; }
}

# make -j: the Makefile builds every figure, as attnviz does in one call; a second run builds none.
fresh make
recipe Makefile >Makefile
[ -s Makefile ] || { echo "no Makefile recipe in $doc"; exit 1; }
make -j2 -s
mkdir ref
attnviz grid 'dumps/*.npy' -o 'ref/{stem}_grid.png'
for f in a b c; do attnviz heatmap "dumps/$f.npy" --layer all --head all -o "ref/${f}_heads.pdf"; done
expect_same figs ref
make -q || { echo "make: a second run would rebuild"; exit 1; }
echo "ok: make -j2 built $(ls figs | wc -l) figures; nothing to redo"

# GNU parallel: one job per dump, then one job per shard.
fresh parallel
recipe parallel >recipe.sh
[ -s recipe.sh ] || { echo "no parallel recipe in $doc"; exit 1; }
bash -eu recipe.sh 2>parallel.err || { cat parallel.err; exit 1; }
mkdir ref
attnviz grid 'dumps/*.npy' -o 'ref/{stem}_grid.png'
attnviz heatmap 'dumps/*.npy' --layer all --head all -o 'ref/{stem}_L{layer}_H{head}.png'
expect_same figs ref
echo "ok: GNU parallel wrote $(ls figs | wc -l) figures as one attnviz call does"

# Slurm: the array tasks in a loop, exactly as docs/scaling.md shows it.
fresh slurm
recipe figures.sbatch >figures.sbatch
grep -q 'SLURM_ARRAY_TASK_ID/\$SLURM_ARRAY_TASK_COUNT' figures.sbatch || { echo "no Slurm recipe"; exit 1; }
for i in 0 1 2 3; do
  SLURM_ARRAY_TASK_ID=$i SLURM_ARRAY_TASK_COUNT=4 SLURM_CPUS_PER_TASK=2 bash figures.sbatch
done
mkdir ref
attnviz heatmap 'dumps/*.npy' --layer all --head all -o 'ref/{stem}_L{layer}_H{head}.png'
expect_same figs ref
echo "ok: 4 Slurm array tasks wrote $(ls figs | wc -l) figures as one attnviz call does"
