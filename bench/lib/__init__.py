"""The benchmark harness behind `bench/run`, in the order a run uses it:

- common:  paths, shared constants, the tmux words (bench/tmux-words.json), messages
- build:   the release build of thanos-tmux and of the floors (bench/floor)
- tools:   the peers (zoxide, tmuxp, tmuxinator) and system tools (strace, GNU time)
- sandbox: the private tmux server, HOME and XDG folders; the session setups
- layouts: sessions of named windows for save and restore, and their raw tmux calls
- model:   what a case is (Side, Compare, Case)
- cases:   the registry of cases, one entry each (shells, status: their own modules)
- timing:  the untimed check run, and the interleaved paired rounds
- report:  ratios against budgets, the growth, memory and /proc tables, md/json output
- runner:  one whole run, from the build to the result files
"""
