# shellcheck shell=bash
# thanos-tmux for bash: completion, auto-attach, logout step.
#
# `thanos-tmux init bash` prints a one-line preamble that sets __thanos_tmux_attach
# (1, or 0 with --no-attach) and then this file. Everything here is cheap: no tmux call,
# no config read; names from the outside world are only ever expanded inside quotes.

# ---------------------------------------------------------------- completion
# Session and daemon names are asked of the binary at Tab time, so they are always live.

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
      candidates="attach list ls status kill cleanup forget name save restore init completions daemons config doctor main dev monitor $global -c --dir -d --detached -V --version"
      names=(list --names)
      ;;
    attach) candidates="-c --dir -d --detached $global"; names=(list --names) ;;
    kill) candidates="-y --yes $global"; names=(list --names) ;;
    save) candidates="$global"; names=(list --names) ;;
    restore) candidates="--all $global"; names=(list --names --dead) ;;
    forget) candidates="--dead $global"; names=(list --names --dead) ;;
    list | ls) candidates="--json --names --dead $global" ;;
    status) candidates="--json $global" ;;
    cleanup) candidates="--dry-run --json $global" ;;
    name) __thanos_tmux_reply_lines compgen -d -- "$cur"; return ;;
    init) candidates="zsh bash fish --no-attach $global" ;;
    completions) candidates="zsh bash fish $global" ;;
    config) candidates="path show tmux-conf $global" ;;
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

# ---------------------------------------------------------------- logout step

__thanos_tmux_logout() {
  command thanos-tmux hook session-end </dev/null >/dev/null 2>&1 &
  disown 2>/dev/null
}

# Keeps an EXIT trap the user already had: ours runs first, then theirs.
__thanos_tmux_on_exit() {
  local trap_text
  trap_text=$(trap -p EXIT)
  case $trap_text in
    *__thanos_tmux_logout*) return ;;
  esac
  trap_text=${trap_text#trap -- \'}
  trap_text=${trap_text%\' EXIT}
  trap_text=${trap_text//\'\\\'\'/\'}
  if [[ -n $trap_text ]]; then
    trap -- "__thanos_tmux_logout; $trap_text" EXIT
  else
    trap -- "__thanos_tmux_logout" EXIT
  fi
}

# ---------------------------------------------------------------- auto-attach

# The guards of SPEC §6 that need no config; `attach --auto` re-checks them all.
__thanos_tmux_guards_hold() {
  [[ $- == *i* ]] || return 1
  [[ -t 0 && -t 1 ]] || return 1
  [[ -z ${TMUX-} ]] || return 1
  [[ -z ${INSIDE_EMACS-}${VIM-}${NVIM-}${ZED_TERM-}${INTELLIJ_ENVIRONMENT_READER-}${VSCODE_RESOLVING_ENVIRONMENT-} ]] || return 1
  [[ ${TERMINAL_EMULATOR-} != JetBrains-JediTerm ]] || return 1
  case ${TERM_PROGRAM-} in vscode | JetBrains* | zed) return 1 ;; esac
  [[ ${TERM-} != dumb && ${LC_THANOS_TMUX-} != 0 ]] || return 1
  command -v tmux >/dev/null 2>&1 && command -v thanos-tmux >/dev/null 2>&1
}

__thanos_tmux_start() {
  __thanos_tmux_guards_hold || return 0
  if [[ -n ${THANOS_TMUX_AUTOSTARTED-} || ${__thanos_tmux_attach-1} == 0 || ${THANOS_TMUX_AUTO-} == 0 ]]; then
    # A choice, not a guard: a login shell outside tmux still runs the logout step.
    if [[ -z ${THANOS_TMUX_AUTOSTARTED-} ]] && shopt -q login_shell; then
      __thanos_tmux_on_exit
    fi
    return 0
  fi
  export THANOS_TMUX_AUTOSTARTED=1
  __thanos_tmux_on_exit
  local state=${THANOS_TMUX_STATE_DIR:-${XDG_STATE_HOME:-$HOME/.local/state}/thanos-tmux}
  command thanos-tmux attach --auto
  local status=$?
  # auto_quit: the binary leaves this mark only when it attached with auto_quit on.
  if [[ -e $state/quit.$$ ]]; then
    command rm -f -- "$state/quit.$$"
    ((status == 0)) && exit 0
  fi
  return 0
}

__thanos_tmux_start
