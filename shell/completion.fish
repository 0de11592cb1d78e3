# thanos-tmux completion for fish: subcommands, options, and live session and daemon
# names asked of the binary at Tab time. Part of `thanos-tmux init fish`; printed alone
# by `thanos-tmux completions fish`.

function __thanos_tmux_names
    command thanos-tmux $argv 2>/dev/null
end

function __thanos_tmux_first_daemon_arg
    set -l words (commandline -opc)
    test (count $words) -ge 2; and test "$words[-1]" = daemons
end

set -l subcommands attach pick last list ls status kill cleanup forget name save restore init completions daemons config doctor

complete -c thanos-tmux -f
complete -c thanos-tmux -s L -l socket-name -r -d 'tmux server socket name'
complete -c thanos-tmux -s S -l socket-path -r -F -d 'tmux server socket path'
complete -c thanos-tmux -s v -l verbose -d 'mirror the log to stderr'
complete -c thanos-tmux -s q -l quiet -d 'say nothing but errors'
complete -c thanos-tmux -l color -x -a 'auto always never' -d 'when to use colour'
complete -c thanos-tmux -s h -l help -d 'print help'

complete -c thanos-tmux -n __fish_use_subcommand -s V -l version -d 'print version'
complete -c thanos-tmux -n "__fish_use_subcommand; or __fish_seen_subcommand_from attach" -s c -l dir -x -a '(__fish_complete_directories)' -d 'start folder'
complete -c thanos-tmux -n "__fish_use_subcommand; or __fish_seen_subcommand_from attach" -s d -l detached -d 'do not attach'
complete -c thanos-tmux -n __fish_use_subcommand -a attach -d 'attach to a session, creating it when missing'
complete -c thanos-tmux -n __fish_use_subcommand -a pick -d 'jump to any session, lost session or folder'
complete -c thanos-tmux -n __fish_use_subcommand -a last -d 'back to the session used before'
complete -c thanos-tmux -n __fish_use_subcommand -a list -d 'list live and recorded sessions'
complete -c thanos-tmux -n __fish_use_subcommand -a status -d 'tmux, server, state and sessions'
complete -c thanos-tmux -n __fish_use_subcommand -a kill -d 'kill sessions'
complete -c thanos-tmux -n __fish_use_subcommand -a cleanup -d 'drop records of sessions closed on purpose'
complete -c thanos-tmux -n __fish_use_subcommand -a forget -d 'drop records from the state file'
complete -c thanos-tmux -n __fish_use_subcommand -a name -d 'print the session name picked for a folder'
complete -c thanos-tmux -n __fish_use_subcommand -a save -d 'record the live layout of sessions'
complete -c thanos-tmux -n __fish_use_subcommand -a restore -d 'recreate recorded sessions tmux lost'
complete -c thanos-tmux -n __fish_use_subcommand -a init -d 'print the shell integration snippet'
complete -c thanos-tmux -n __fish_use_subcommand -a completions -d 'print a completion script'
complete -c thanos-tmux -n __fish_use_subcommand -a daemons -d 'start, stop and inspect the daemons'
complete -c thanos-tmux -n __fish_use_subcommand -a config -d 'where the config lives, what is in force'
complete -c thanos-tmux -n __fish_use_subcommand -a doctor -d 'check the installation'
complete -c thanos-tmux -n __fish_use_subcommand -a 'main dev monitor' -d 'thanos session'
complete -c thanos-tmux -n __fish_use_subcommand -a '(__thanos_tmux_names list --names)' -d 'live session'

complete -c thanos-tmux -n '__fish_seen_subcommand_from attach kill save' -a '(__thanos_tmux_names list --names)' -d 'live session'
complete -c thanos-tmux -n '__fish_seen_subcommand_from restore forget' -a '(__thanos_tmux_names list --names --dead)' -d 'recorded session'
complete -c thanos-tmux -n '__fish_seen_subcommand_from kill' -s y -l yes -d 'do not ask'
complete -c thanos-tmux -n '__fish_seen_subcommand_from restore' -l all -d 'every recorded session'
complete -c thanos-tmux -n '__fish_seen_subcommand_from forget' -l dead -d 'every record tmux lacks'
complete -c thanos-tmux -n '__fish_seen_subcommand_from list ls' -l json -d 'JSON for scripts'
complete -c thanos-tmux -n '__fish_seen_subcommand_from list ls' -l names -d 'names, one a line'
complete -c thanos-tmux -n '__fish_seen_subcommand_from list ls' -l dead -d 'with --names: recorded, not live'
complete -c thanos-tmux -n '__fish_seen_subcommand_from status cleanup daemons' -l json -d 'JSON for scripts'
complete -c thanos-tmux -n '__fish_seen_subcommand_from cleanup' -l dry-run -d 'remove nothing'
complete -c thanos-tmux -n '__fish_seen_subcommand_from pick' -l list -d 'print the entries'
complete -c thanos-tmux -n '__fish_seen_subcommand_from pick' -l json -d 'with --list: JSON for scripts'
complete -c thanos-tmux -n '__fish_seen_subcommand_from name' -a '(__fish_complete_directories)'
complete -c thanos-tmux -n '__fish_seen_subcommand_from init completions' -a 'zsh bash fish'
complete -c thanos-tmux -n '__fish_seen_subcommand_from init' -l no-attach -d 'never attach'
complete -c thanos-tmux -n '__fish_seen_subcommand_from config' -a 'path show init tmux-conf'
complete -c thanos-tmux -n '__fish_seen_subcommand_from daemons; and __thanos_tmux_first_daemon_arg' -a 'start stop restart status'
complete -c thanos-tmux -n '__fish_seen_subcommand_from daemons; and not __thanos_tmux_first_daemon_arg' -a '(__thanos_tmux_names daemons status --names)' -d daemon
complete -c thanos-tmux -n '__fish_seen_subcommand_from daemons' -l names -d 'daemon names'
complete -c thanos-tmux -n '__fish_seen_subcommand_from daemons' -l line -d 'health for a status line'
