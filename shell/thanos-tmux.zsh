# thanos-tmux for zsh: completion, auto-attach and the logout step.
#
# `thanos-tmux init zsh` prints a one-line preamble that sets __thanos_tmux_attach
# (1, or 0 with --no-attach), then this file. Everything here is cheap: no tmux call, no
# config read; outside names are only expanded inside quotes.

# The completion (completion.zsh, what `thanos-tmux completions zsh` prints) is loaded at
# the first Tab, so a shell start pays nothing for it: the loaded file defines
# _thanos_tmux and runs it for this Tab; later Tabs go to it directly.
_thanos_tmux_lazy() {
  eval "$(command thanos-tmux completions zsh 2>/dev/null)"
  (( $+functions[_thanos_tmux] )) && compdef _thanos_tmux thanos-tmux
}

# compinit may run later in .zshrc: then register on the first prompt, once.
__thanos_tmux_compdef() {
  precmd_functions=(${precmd_functions:#__thanos_tmux_compdef})
  (( $+functions[compdef] )) && compdef _thanos_tmux_lazy thanos-tmux
}
if (( $+functions[compdef] )); then
  compdef _thanos_tmux_lazy thanos-tmux
elif (( ! ${precmd_functions[(Ie)__thanos_tmux_compdef]:-0} )); then
  precmd_functions+=(__thanos_tmux_compdef)
fi

__thanos_tmux_logout() {
  command thanos-tmux hook session-end </dev/null >/dev/null 2>&1 &!
}

__thanos_tmux_on_exit() {
  (( ${zshexit_functions[(Ie)__thanos_tmux_logout]:-0} )) || zshexit_functions+=(__thanos_tmux_logout)
}

# The guards that need no config; `attach --auto` re-checks them all.
__thanos_tmux_guards_hold() {
  [[ -o interactive ]] || return 1
  [[ -t 0 && -t 1 ]] || return 1
  [[ -z ${TMUX-} ]] || return 1
  [[ -z ${INSIDE_EMACS-}${VIM-}${NVIM-}${ZED_TERM-}${INTELLIJ_ENVIRONMENT_READER-}${VSCODE_RESOLVING_ENVIRONMENT-} ]] || return 1
  [[ ${TERMINAL_EMULATOR-} != JetBrains-JediTerm ]] || return 1
  case ${TERM_PROGRAM-} in vscode|JetBrains*|zed) return 1 ;; esac
  [[ ${TERM-} != dumb && ${LC_THANOS_TMUX-} != 0 ]] || return 1
  (( $+commands[tmux] && $+commands[thanos-tmux] ))
}

__thanos_tmux_start() {
  __thanos_tmux_guards_hold || return 0
  if [[ -n ${THANOS_TMUX_AUTOSTARTED-} || ${__thanos_tmux_attach-1} == 0 || ${THANOS_TMUX_AUTO-} == 0 ]]; then
    # A choice, not a guard: a login shell outside tmux still runs the logout step.
    [[ -z ${THANOS_TMUX_AUTOSTARTED-} && -o login ]] && __thanos_tmux_on_exit
    return 0
  fi
  export THANOS_TMUX_AUTOSTARTED=1
  __thanos_tmux_on_exit
  local state=${THANOS_TMUX_STATE_DIR:-${XDG_STATE_HOME:-$HOME/.local/state}/thanos-tmux}
  command thanos-tmux attach --auto
  local rc=$?
  # auto_quit: the binary leaves this mark only when it attached with auto_quit on.
  if [[ -e $state/quit.$$ ]]; then
    command rm -f -- "$state/quit.$$"
    (( rc == 0 )) && exit 0
  fi
  return 0
}

__thanos_tmux_start
