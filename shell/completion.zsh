# thanos-tmux completion for zsh: subcommands, options, and live session and daemon
# names asked of the binary at Tab time. Part of `thanos-tmux init zsh`; printed alone
# (as an fpath file) by `thanos-tmux completions zsh`.

_thanos_tmux() {
  local -a subcommands options names
  local sub='' word i sub_at=0
  subcommands=(
    'attach:attach to a session, creating it when missing'
    'pick:jump to any session, lost session or project folder'
    'last:back to the session used before'
    'list:list live and recorded sessions'
    'status:tmux, server, state and sessions at a glance'
    'kill:kill sessions'
    'cleanup:drop records of sessions closed on purpose'
    'forget:drop records from the state file'
    'name:print the session name picked for a folder'
    'save:record the live layout of sessions'
    'restore:recreate recorded sessions tmux lost'
    'init:print the shell integration snippet'
    'completions:print a completion script'
    'daemons:start, stop and inspect the daemons'
    'config:where the config lives and what is in force'
    'doctor:check the installation'
    'main:the thanos-main session'
    'dev:the thanos-dev session'
    'monitor:the thanos-monitor session'
  )
  options=(-L --socket-name -S --socket-path -v --verbose -q --quiet --color -h --help)
  for (( i = 2; i < CURRENT; i++ )); do
    word=${words[i]}
    case $word in
      -L|-S|-c|--socket-name|--socket-path|--dir|--color) (( i++ )) ;;
      -*) ;;
      *) sub=$word; sub_at=$i; break ;;
    esac
  done
  case ${words[CURRENT-1]} in
    -S|--socket-path) _files; return ;;
    -c|--dir) _files -/; return ;;
    --color) compadd -- auto always never; return ;;
    -L|--socket-name) return 1 ;;
  esac
  case $sub in
    '') options+=(-c --dir -d --detached -V --version); names=(list --names) ;;
    attach) options+=(-c --dir -d --detached); names=(list --names) ;;
    kill) options+=(-y --yes); names=(list --names) ;;
    save) names=(list --names) ;;
    restore) options+=(--all); names=(list --names --dead) ;;
    forget) options+=(--dead); names=(list --names --dead) ;;
    list|ls) options+=(--json --names --dead) ;;
    status) options+=(--json) ;;
    pick) options+=(--list --json) ;;
    cleanup) options+=(--dry-run --json) ;;
    name) _files -/; return ;;
    init) options+=(--no-attach); compadd -- zsh bash fish ;;
    completions) compadd -- zsh bash fish ;;
    config) compadd -- path show init tmux-conf ;;
    daemons)
      options+=(--json --names --line)
      if (( CURRENT == sub_at + 1 )); then
        compadd -- start stop restart status
      else
        names=(daemons status --names)
      fi
      ;;
  esac
  if [[ ${words[CURRENT]} == -* ]]; then
    compadd -- $options
    return
  fi
  [[ -z $sub ]] && _describe -t commands 'thanos-tmux command' subcommands
  if (( ${#names} )); then
    local -a found
    found=(${(f)"$(command thanos-tmux $names 2>/dev/null)"})
    (( ${#found} )) && compadd -X 'sessions' -- $found
  fi
  return 0
}
