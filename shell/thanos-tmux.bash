# shellcheck shell=bash
# thanos-tmux for bash: completion, auto-attach and the logout step.
#
# `thanos-tmux init bash` prints a one-line preamble that sets __thanos_tmux_attach
# (1, or 0 with --no-attach), then this file. Everything here is cheap: no tmux call, no
# config read; names from the outside world are only ever expanded inside quotes.

# ---------------------------------------------------------------- completion
# The completion (completion.bash, what `thanos-tmux completions bash` prints) is loaded
# at the first Tab, so a shell start pays nothing for it. It registers itself anew.

__thanos_tmux_complete_lazy() {
  eval "$(command thanos-tmux completions bash 2>/dev/null)"
  if declare -F __thanos_tmux_complete >/dev/null; then
    __thanos_tmux_complete "$@"
  fi
}
complete -F __thanos_tmux_complete_lazy thanos-tmux

# ---------------------------------------------------------------- logout step

# Keeps $? for an EXIT trap of the user's that runs after it.
__thanos_tmux_logout() {
  local rc=$?
  command thanos-tmux hook session-end </dev/null >/dev/null 2>&1 &
  # The job may be over already: then disown fails, which must not stop a shell
  # running with set -e before the user's own EXIT trap.
  disown 2>/dev/null || :
  return "$rc"
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

# The guards that need no config; `attach --auto` re-checks them all.
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
