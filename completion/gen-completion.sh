#!/usr/bin/env bash
# completion/gen-completion.sh: write nta's bash completion from what the built nta's --help
# prints, so a new command or option is completed without anyone editing a list (issue 16).
#
# Usage: gen-completion.sh NTA TEMPLATE OUTPUT. CMake runs it whenever nta is relinked.
#
# What it reads from the help texts:
# - `nta --help`: the commands, lines "  NAME   description" under "Commands:";
# - `nta CMD --help`: option lines, those starting with blanks and '-': "-f, --filter EXPR  ...",
#   "--to jsonl|csv  ...", "--local, --msl, -f/--filter, -q" (several options, no value shown).
#   What follows the first run of two blanks, and the more indented lines after it, describe
#   the option. The value an option takes (its metavariable) decides what is completed after it:
#     a|b|c (or one lower-case word)  those values (the union when the option has several lines)
#     FMT, FORMAT                     the lower-case words of its description outside (...),
#                                     "text (default), json or csv" -> text json csv
#     FILE / D, DIR                   file names / directory names
#     anything else (EXPR, N, ...)    nothing: nta cannot list them
#   An option shown without a value ("as for nta events") takes the one another command shows
#   for it: an option name means the same in every command.
# Every command is given --help, which the generation itself has just used.
set -euo pipefail
nta=$1 template=$2 output=$3

declare -A opts=() vopts=() meta=() desc=() kind=()   # kind[OPT]: a value kind across commands
commands=()

cmd_re='^  ([a-z][a-z0-9-]*)  '
in_cmds=0
while IFS= read -r line; do
    if [[ $line == Commands:* ]]; then in_cmds=1; continue; fi
    [[ -z $line ]] && in_cmds=0
    if ((in_cmds)) && [[ $line =~ $cmd_re ]]; then commands+=("${BASH_REMATCH[1]}"); fi
done < <("$nta" --help)
if ((${#commands[@]} == 0)); then
    echo "gen-completion: no commands under 'Commands:' in '$nta --help'" >&2
    exit 1
fi

opt_re='^-[A-Za-z0-9]$|^--[a-z0-9][a-z0-9-]*$'
for cmd in "${commands[@]}"; do
    group=()   # the options of the current option line, while its description continues
    while IFS= read -r line; do
        if [[ $line =~ ^[[:blank:]]+- ]]; then
            line=${line#"${line%%[![:blank:]]*}"}       # leading blanks
            spec=${line%%  *}                            # up to the first two blanks
            text=${line:${#spec}}
            spec=${spec//,/ }
            spec=${spec//\/-/ -}                          # -f/--filter
            group=() m=''
            for tok in $spec; do
                tok=${tok%%=*}
                if [[ $tok =~ $opt_re ]]; then group+=("$tok"); elif [[ -z $m ]]; then m=$tok; fi
            done
            for o in "${group[@]}"; do
                opts[$cmd]+=" $o"
                if [[ -n $m ]]; then
                    vopts[$cmd]+=" $o"
                    meta[$cmd $o]+=" $m"
                    desc[$cmd $o]+=" $text"
                    case $m in FILE) kind[$o]=@file ;; D | DIR) kind[$o]=@dir ;; *) kind[$o]=${kind[$o]-} ;; esac
                fi
            done
        elif [[ $line =~ ^[[:blank:]]{4,}[^[:blank:]] ]] && ((${#group[@]})); then
            for o in "${group[@]}"; do desc[$cmd $o]+=" $line"; done
        else
            group=()
        fi
    done < <("$nta" "$cmd" --help)
    opts[$cmd]+=" --help"
done

# the words a description lists: parenthesised asides out, then its lower-case words but for
# the ones that join them
listed() {
    local d=$1 w out=''
    while [[ $d == *\(*\)* ]]; do d=${d%%\(*}' '${d#*\)}; done
    for w in ${d//[,;.]/ }; do
        [[ $w =~ ^[a-z][a-z0-9]*$ ]] || continue
        case $w in or | and | default) continue ;; esac
        out+=" $w"
    done
    echo "$out"
}
# unique words, first-seen order
uniq_words() {
    local w out=' '
    for w in $*; do [[ $out == *" $w "* ]] || out+="$w "; done
    out=${out# }
    echo "${out% }"
}

{
    echo "# Generated from '${nta##*/} --help' by completion/gen-completion.sh; do not edit."
    echo "_nta_commands='${commands[*]}'"
    echo "# _nta_spec CMD: sets opts (every option of CMD) and vopts (those that take a value)"
    echo "_nta_spec()"
    echo "{"
    echo "    case \$1 in"
    for cmd in "${commands[@]}"; do
        vo=${vopts[$cmd]-}
        for o in ${opts[$cmd]}; do   # an option shown without its value elsewhere
            if [[ " $vo " != *" $o "* && -n ${kind[$o]+x} ]]; then vo+=" $o"; fi
        done
        echo "    $cmd) opts='$(uniq_words ${opts[$cmd]})' vopts='$(uniq_words $vo)' ;;"
    done
    echo "    *) opts='' vopts='' ;;"
    echo "    esac"
    echo "}"
    echo "# _nta_values CMD OPTION: the values OPTION lists, @file, @dir, or nothing"
    echo "_nta_values()"
    echo "{"
    echo "    case \"\$1 \$2\" in"
    for cmd in "${commands[@]}"; do
        for o in $(uniq_words ${opts[$cmd]}); do
            v=''
            if [[ -n ${meta[$cmd $o]+x} ]]; then
                for m in ${meta[$cmd $o]}; do
                    case $m in
                    *'|'* | [a-z]*) v+=" ${m//|/ }" ;;
                    FMT | FORMAT) v+=" $(listed "${desc[$cmd $o]}")" ;;
                    FILE) v+=' @file' ;;
                    D | DIR) v+=' @dir' ;;
                    esac
                done
            elif [[ ${kind[$o]-} == @* ]]; then
                v=${kind[$o]}
            fi
            v=$(uniq_words $v)
            for w in $v; do
                if [[ ! $w =~ ^(@file|@dir|[a-z0-9][a-z0-9._-]*)$ ]]; then
                    echo "gen-completion: $cmd $o: cannot complete a value '$w'" >&2
                    exit 1
                fi
            done
            [[ -n $v ]] && echo "    '$cmd $o') echo '$v' ;;"
        done
    done
    echo "    esac"
    echo "}"
} >"$output.data"

# the template with the data in place of its @NTA_COMPLETION_DATA@ line
while IFS= read -r line; do
    if [[ $line == @NTA_COMPLETION_DATA@ ]]; then cat "$output.data"; else printf '%s\n' "$line"; fi
done <"$template" >"$output.tmp"
rm -f "$output.data"
mv "$output.tmp" "$output"
