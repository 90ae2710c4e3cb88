# Sourced by the batch tests: make_dumps DIR links the sample dumps of data/ (not patterns.json,
# which holds scores) into DIR, with the tokens file that goes beside induction.npy.
make_dumps() {
  local dir=$1 data=$2
  rm -rf "$dir"
  mkdir -p "$dir"
  for f in induction.npy induction.tokens.txt copy_offset.npz reverse.json \
           induction_layers.safetensors seq2seq_cross.json; do
    ln -s "$data/$f" "$dir/$f"
  done
}
