# tests/install/complete.sh: what bash completion offers for a command line, for the install
# tests (sourced). Runs a fresh `bash --norc` so nothing of the caller's shell leaks in, finds
# nta's completion function through `complete -p nta` (as readline does) and prints COMPREPLY
# sorted, one per line.
#
#   COMP_FROM=FILE   completions FILE's completion, sourced alone (no bash-completion)
#   COMP_FROM=bc:FILE       the same with bash-completion loaded first (its _filedir is used)
#   COMP_FROM=loader:DIR    bash-completion's own loader finds it under DIR/bash-completion/
#                           completions (XDG_DATA_DIRS=DIR), as on first TAB after install
#   completions WORD... : the words typed after nta, the last being completed ('' for a new
#   word);
#   run in the current directory (file names are completed from there).
completions() {
    local out st
    out=$(bash --norc --noprofile -c '
        from=$1
        shift
        case $from in
        bc:* | loader:*) . /usr/share/bash-completion/bash_completion || exit 3 ;;
        esac
        case $from in
        loader:*) XDG_DATA_DIRS=${from#loader:} _completion_loader nta ;;
        bc:*) . "${from#bc:}" ;;
        *) . "$from" ;;
        esac
        spec=$(complete -p nta) || { echo "no completion registered for nta" >&2; exit 3; }
        fn=${spec#*-F }
        fn=${fn%% *}
        COMP_WORDS=(nta "$@")
        COMP_CWORD=$#
        COMP_LINE="nta $*"
        COMP_POINT=${#COMP_LINE}
        COMPREPLY=()
        "$fn" nta "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
        ((${#COMPREPLY[@]})) && printf "%s\n" "${COMPREPLY[@]}"
        exit 0' _ "$COMP_FROM" "$@")
    st=$?
    [ -n "$out" ] && printf '%s\n' "$out" | sort
    return $st
}
# words WORD...: completions as one space-separated line
words() { completions "$@" | tr '\n' ' ' | sed 's/ $//'; }
