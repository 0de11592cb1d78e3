# thanos-tmux for fish: auto-attach and the logout step.
#
# `thanos-tmux init fish` prints a one-line preamble that sets __thanos_tmux_attach
# (1, or 0 with --no-attach), then completion.fish, then this file. Everything here is
# cheap: no tmux call, no config read; outside names are never evaluated.

function __thanos_tmux_logout --on-event fish_exit
    set -q __thanos_tmux_logout_armed; or return
    # With full job control the hook gets a process group of its own, so the SIGHUP
    # that follows fish's exit does not reach it.
    status job-control full
    command thanos-tmux hook session-end </dev/null >/dev/null 2>&1 &
    disown 2>/dev/null
end

# The guards that need no config; `attach --auto` re-checks them all.
function __thanos_tmux_guards_hold
    status is-interactive; or return 1
    # stdin is the pipe of `thanos-tmux init fish | source` while this runs: the
    # terminal is stdout (attach --auto gets it as stdin too, below).
    isatty stdout; or return 1
    test -z "$TMUX"; or return 1
    test -z "$INSIDE_EMACS$VIM$NVIM$ZED_TERM$INTELLIJ_ENVIRONMENT_READER$VSCODE_RESOLVING_ENVIRONMENT"; or return 1
    test "$TERMINAL_EMULATOR" != JetBrains-JediTerm; or return 1
    switch "$TERM_PROGRAM"
        case vscode 'JetBrains*' zed
            return 1
    end
    test "$TERM" != dumb -a "$LC_THANOS_TMUX" != 0; or return 1
    command -q tmux; and command -q thanos-tmux
end

function __thanos_tmux_start
    __thanos_tmux_guards_hold; or return 0
    if set -q THANOS_TMUX_AUTOSTARTED; or test "$__thanos_tmux_attach" = 0 -o "$THANOS_TMUX_AUTO" = 0
        # A choice, not a guard: a login shell outside tmux still runs the logout step.
        if not set -q THANOS_TMUX_AUTOSTARTED; and status is-login
            set -g __thanos_tmux_logout_armed 1
        end
        return 0
    end
    set -gx THANOS_TMUX_AUTOSTARTED 1
    set -g __thanos_tmux_logout_armed 1
    set -l state "$THANOS_TMUX_STATE_DIR"
    if test -z "$state"
        set state "$XDG_STATE_HOME"
        test -n "$state"; or set state "$HOME/.local/state"
        set state "$state/thanos-tmux"
    end
    command thanos-tmux attach --auto <&1
    set -l rc $status
    # auto_quit: the binary leaves this mark only when it attached with auto_quit on.
    # An `exit` here would only end the sourcing of config.fish: quit at the prompt.
    if test -e "$state/quit.$fish_pid"
        command rm -f -- "$state/quit.$fish_pid"
        if test $rc -eq 0
            function __thanos_tmux_quit --on-event fish_prompt
                exit 0
            end
        end
    end
    return 0
end

__thanos_tmux_start
