# Prints, one a line, the matches zsh's completion system offers for a command line:
#   zsh -f zsh-complete.zsh <directory of the completion file> <out file> <line>
# It starts an interactive zsh on a pseudo-terminal (zsh/zpty), loads compinit with the
# directory on $fpath, types the line and a TAB, and records every compadd's matches.
zmodload zsh/zpty || exit 3
local dir=$1 out=$2 line=$3
: >| $out
zpty capture zsh -f -i
zpty -w capture "PS1= PROMPT_EOL_MARK= ; fpath=(${(q)dir} \$fpath); autoload -Uz compinit; compinit -u -D"
zpty -w capture "compadd() { builtin compadd -O __matches \"\$@\"; print -rl -- \"\${__matches[@]}\" >> ${(q)out}; builtin compadd \"\$@\"; }"
zpty -w capture "comppostfuncs=(_done); _done() { print -r -- '<done>' >> ${(q)out}; compstate[list]=; compstate[insert]=; }"
zpty -w capture 'print -r -- "<ready>"'
zpty -r capture _ '*<ready>*' || exit 4
zpty -w -n capture "$line"$'\t'
local i
for (( i = 0; i < 600; i++ )); do
  grep -qx '<done>' $out && break
  sleep 0.1
done
zpty -d capture
grep -qx '<done>' $out || exit 5
grep -vx '<done>' $out | sort -u
