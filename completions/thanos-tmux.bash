# shellcheck shell=bash
# thanos-tmux completion for bash: subcommands, options, and live session and daemon
# names asked of the binary at Tab time. Part of `thanos-tmux init bash`; printed alone by
# `thanos-tmux completions bash`.

__thanos_tmux_names() {
  command thanos-tmux "$@" 2>/dev/null
}

# Adds each line of a command's output to COMPREPLY (bash 3.2 has no mapfile).
__thanos_tmux_reply_lines() {
  local line
  while IFS= read -r line; do
    COMPREPLY+=("$line")
  done < <("$@")
}

__thanos_tmux_complete() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
  local sub="" sub_at=0 i word candidates=""
  COMPREPLY=()
  for ((i = 1; i < COMP_CWORD; i++)); do
    word=${COMP_WORDS[i]}
    case $word in
      -L | -S | -c | --socket-name | --socket-path | --dir | --color) ((i++)) ;;
      -*) ;;
      *) sub=$word; sub_at=$i; break ;;
    esac
  done
  case $prev in
    -S | --socket-path | -c | --dir)
      __thanos_tmux_reply_lines compgen -f -- "$cur"
      return
      ;;
    --color)
      __thanos_tmux_reply_lines compgen -W "auto always never" -- "$cur"
      return
      ;;
    -L | --socket-name) return ;;
  esac
  local global="-L --socket-name -S --socket-path -v --verbose -q --quiet --color -h --help"
  local -a names=()
  case $sub in
    "")
      candidates="attach pick last list ls status kill cleanup forget name save restore init completions daemons config doctor main dev monitor $global -c --dir -d --detached -V --version"
      names=(list --names)
      ;;
    attach) candidates="-c --dir -d --detached $global"; names=(list --names) ;;
    kill) candidates="-y --yes $global"; names=(list --names) ;;
    save) candidates="$global"; names=(list --names) ;;
    restore) candidates="--all $global"; names=(list --names --dead) ;;
    forget) candidates="--dead $global"; names=(list --names --dead) ;;
    list | ls) candidates="--json --names --dead $global" ;;
    status) candidates="--json $global" ;;
    pick) candidates="--list --json $global" ;;
    cleanup) candidates="--dry-run --json $global" ;;
    name) __thanos_tmux_reply_lines compgen -d -- "$cur"; return ;;
    init) candidates="zsh bash fish --no-attach $global" ;;
    completions) candidates="zsh bash fish $global" ;;
    config) candidates="path show init tmux-conf $global" ;;
    daemons)
      if ((COMP_CWORD == sub_at + 1)); then
        candidates="start stop restart status"
      else
        candidates="--json --names --line $global"
        names=(daemons status --names)
      fi
      ;;
    *) candidates="$global" ;;
  esac
  local item
  for item in $candidates; do
    [[ $item == "$cur"* ]] && COMPREPLY+=("$item")
  done
  if [[ ${#names[@]} -gt 0 && $cur != -* ]]; then
    # One name a line; printf %q keeps spaces and quotes as typed text.
    while IFS= read -r item; do
      [[ -n $item && $item == "$cur"* ]] && COMPREPLY+=("$(printf '%q' "$item")")
    done < <(__thanos_tmux_names "${names[@]}")
  fi
}
complete -F __thanos_tmux_complete thanos-tmux
