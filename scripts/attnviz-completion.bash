# bash completion for attnviz. Commands, options and their choices are read from the program's
# own --help (so they never go stale), colormap names from `attnviz colormaps`, and files
# everywhere else. Install: source it from ~/.bashrc, or copy it to
# /usr/share/bash-completion/completions/attnviz.

# The subcommands `attnviz --help` lists.
_attnviz_commands() {
  "$1" --help 2>/dev/null |
    awk '/^Subcommands:$/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { exit }'
}

# Every option name of one command: "-o,--output TEXT" gives -o and --output.
_attnviz_options() {
  "$1" "$2" --help 2>/dev/null | awk '/^  -/ {
      n = split($1, names, ",")
      for (i = 1; i <= n; i++) print names[i] }'
}

# The choices an option's help shows as TYPE:{a,b,c}, or nothing.
_attnviz_choices() {
  "$1" "$2" --help 2>/dev/null | awk -v option="$3" '/^  -/ {
      n = split($1, names, ",")
      for (i = 1; i <= n; i++) if (names[i] == option && match($2, /\{[^}]*\}/)) {
        list = substr($2, RSTART + 1, RLENGTH - 2); gsub(/,/, " ", list); print list; exit } }'
}

_attnviz() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]} program=${COMP_WORDS[0]}
  COMPREPLY=()
  if [ "$COMP_CWORD" -eq 1 ]; then
    mapfile -t COMPREPLY < <(compgen -W "$(_attnviz_commands "$program") help --help --version" -- "$cur")
    return
  fi
  local command=${COMP_WORDS[1]} choices
  if [ "$command" = help ]; then  # attnviz help COMMAND
    [ "$COMP_CWORD" -eq 2 ] && mapfile -t COMPREPLY < <(compgen -W "$(_attnviz_commands "$program")" -- "$cur")
    return
  fi
  if [ "$prev" = --cmap ]; then
    mapfile -t COMPREPLY < <(compgen -W "$("$program" colormaps 2>/dev/null)" -- "$cur")
    return
  fi
  if [[ $prev == -* ]]; then
    choices=$(_attnviz_choices "$program" "$command" "$prev")
    if [ -n "$choices" ]; then
      mapfile -t COMPREPLY < <(compgen -W "$choices" -- "$cur")
      return
    fi
  fi
  if [[ $cur == -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$(_attnviz_options "$program" "$command")" -- "$cur")
    return
  fi
  mapfile -t COMPREPLY < <(compgen -f -- "$cur")
}

complete -o filenames -o bashdefault -F _attnviz attnviz
