/**
 * Shell completion scripts for bash, zsh and fish, generated from the commander program
 * itself, so every command and option is covered as soon as it is registered.
 *
 * The scripts parse the command line themselves (commander accepts the root's options
 * anywhere before `--`, and the options of every command above the current one) and read
 * agent ids from the file names of the store's `vaults/` directory. Credential keys and
 * `--field` names only a vault knows: for those they run `agent-vault __complete`
 * (commands/complete.ts) with the line's `--store`, `--agent` and `--token-file`, which
 * opens the vault with a token or an owner session only, never asking for a passphrase,
 * and prints nothing when it cannot.
 */
import type { Argument, Command, Option } from 'commander';
import { HELP_TOPICS } from './help-topics.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/** Where each script is committed, relative to the package root. */
export const COMPLETION_FILES: Record<Shell, string> = {
  bash: 'completions/agent-vault.bash',
  zsh: 'completions/_agent-vault',
  fish: 'completions/agent-vault.fish',
};

/** What may follow an option, or fill a positional argument. */
export type ValueKind =
  | { kind: 'flag' }
  | { kind: 'text' }
  | { kind: 'file' }
  | { kind: 'dir' }
  | { kind: 'agent' }
  /** An existing credential's key, from `agent-vault __complete keys`. */
  | { kind: 'credential' }
  /** A field name of the credential named by the command's first argument, from `agent-vault __complete fields`. */
  | { kind: 'field' }
  | { kind: 'words'; words: string[] };

export interface OptionSpec {
  short?: string;
  long?: string;
  description: string;
  /** Its value name (`<dir>` gives `dir`), when it takes one. */
  valueName?: string;
  value: ValueKind;
  /** May be given more than once (a collecting option says so in its description). */
  repeatable: boolean;
}

export interface ArgumentSpec {
  name: string;
  required: boolean;
  variadic: boolean;
  value: ValueKind;
}

/** One command of the tree, as the scripts need it. */
export interface CommandSpec {
  /** The names from the root, without the program's: `['credential', 'list']`. */
  path: string[];
  name: string;
  aliases: string[];
  description: string;
  /** This command's own options; its ancestors' apply too. */
  options: OptionSpec[];
  args: ArgumentSpec[];
  subcommands: CommandSpec[];
}

const PROGRAM = 'agent-vault';

/** Options whose value is an existing agent id. */
const AGENT_OPTIONS = new Set(['--agent', '--to', '--from']);

/** Commands whose agent argument names a new agent, so existing ids are no help there. */
const NEW_AGENT_COMMANDS = new Set(['provision']);

/** The one word a bracketed value name holds: `--store <dir>` gives `dir`. */
function valueNameOf(option: Option): string | undefined {
  return /[<[]([^>\]]+)[>\]]/.exec(option.flags)?.[1]?.replace(/\.\.\.$/, '');
}

function optionValue(option: Option): ValueKind {
  if (!option.required && !option.optional) return { kind: 'flag' };
  if (option.argChoices) return { kind: 'words', words: [...option.argChoices] };
  const valueName = valueNameOf(option);
  const long = option.long ?? '';
  if (AGENT_OPTIONS.has(long) || valueName === 'agent') return { kind: 'agent' };
  if (long === '--field') return { kind: 'field' };
  if (long === '--store' || valueName === 'dir') return { kind: 'dir' };
  if (long.endsWith('-file') || valueName === 'file' || valueName === 'path') return { kind: 'file' };
  return { kind: 'text' };
}

function describeOption(option: Option): OptionSpec {
  const valueName = valueNameOf(option);
  return {
    ...(option.short ? { short: option.short } : {}),
    ...(option.long ? { long: option.long } : {}),
    description: option.description,
    ...(valueName ? { valueName } : {}),
    value: optionValue(option),
    repeatable: /\brepeatable\b/.test(option.description),
  };
}

function argumentValue(command: Command, path: string[], argument: Argument): ValueKind {
  if (argument.argChoices) return { kind: 'words', words: [...argument.argChoices] };
  // The root's `help` takes a topic or a command name.
  if (path.length === 1 && command.name() === 'help' && command.parent?.parent === null) {
    const commands = command.parent.createHelp().visibleCommands(command.parent);
    return { kind: 'words', words: [...HELP_TOPICS, ...commands.filter((c) => c !== command).map((c) => c.name())] };
  }
  if (argument.name() === 'agent' && !NEW_AGENT_COMMANDS.has(command.name())) return { kind: 'agent' };
  // `KEY|id` names an existing credential; a bare `KEY` (add) names a new one.
  if (argument.name() === 'KEY|id') return { kind: 'credential' };
  return { kind: 'text' };
}

/**
 * The command tree of `command` as plain data: the commands a user can see (commander's
 * implicit `help` command of a command group too), their options (the help option
 * included) and their positional arguments.
 */
export function describeCommand(command: Command, path: string[] = []): CommandSpec {
  const help = command.createHelp();
  return {
    path,
    name: command.name(),
    aliases: command.aliases(),
    description: command.description(),
    options: help.visibleOptions(command).map(describeOption),
    args: command.registeredArguments.map((argument) => ({
      name: argument.name(),
      required: argument.required,
      variadic: argument.variadic,
      value: argumentValue(command, path, argument),
    })),
    subcommands: help.visibleCommands(command).map((sub) => describeCommand(sub, [...path, sub.name()])),
  };
}

/** The commands from the root down to `command`, both included. */
function ancestry(root: CommandSpec, command: CommandSpec): CommandSpec[] {
  return command.path.map((_, i) => allCommands(root).find((c) => key(c.path) === key(command.path.slice(0, i)))!).concat(command);
}

/** Every command of the tree, the root first, parents before children. */
export function allCommands(spec: CommandSpec): CommandSpec[] {
  return [spec, ...spec.subcommands.flatMap(allCommands)];
}

/** The script for `shell`, generated from `program`. */
export function completionScript(program: Command, shell: Shell): string {
  const spec = describeCommand(program);
  checkWords(spec);
  switch (shell) {
    case 'bash':
      return renderBash(spec);
    case 'zsh':
      return renderZsh(spec);
    case 'fish':
      return renderFish(spec);
  }
}

/**
 * Names, flags and choices are written into the scripts as plain words, so they must be
 * plain words: a choice with a space or a quote would be split or, worse, evaluated.
 */
function checkWords(spec: CommandSpec): void {
  const plain = /^[A-Za-z0-9][A-Za-z0-9_.+@,-]*$/;
  for (const command of allCommands(spec)) {
    const words = [command.name, ...command.aliases];
    for (const option of command.options) {
      for (const flag of [option.short, option.long]) if (flag !== undefined) words.push(flag.replace(/^--?/, ''));
      if (option.value.kind === 'words') words.push(...option.value.words);
    }
    for (const argument of command.args) if (argument.value.kind === 'words') words.push(...argument.value.words);
    const bad = words.find((word) => !plain.test(word));
    if (bad !== undefined) throw new Error(`cannot complete ${JSON.stringify(bad)} in "${[PROGRAM, ...command.path].join(' ')}": not a plain word`);
  }
}

const HEADER = (shell: Shell, how: string): string =>
  `${shell} completion for ${PROGRAM}, generated from its command tree by\n` +
  `scripts/gen-completions.mjs (the same as \`${PROGRAM} completion ${shell}\`): do not edit.\n${how}`;

const comment = (text: string): string => text.replace(/^/gm, '# ').replace(/ $/gm, '');

/** A shell word in single quotes (bash, zsh). */
const quote = (text: string): string => `'${text.replaceAll("'", `'\\''`)}'`;

/** The flags an option is known by: short first. */
const flagsOf = (option: OptionSpec): string[] => [option.short, option.long].filter((f): f is string => f !== undefined);

const key = (path: readonly string[]): string => path.join('/');

/** How a value is completed, as one word the bash script understands. */
function bashKind(value: ValueKind): string {
  return value.kind === 'words' ? `words:${value.words.join(' ')}` : value.kind;
}

function renderBash(root: CommandSpec): string {
  const commands = allCommands(root);
  const childCases = commands.flatMap((command) =>
    command.subcommands.map((sub) => `    ${[sub.name, ...sub.aliases].map((n) => quote(`${key(command.path)}/${n}`)).join('|')}) REPLY=${quote(key(sub.path))} ;;`),
  );
  const optionCases = commands.flatMap((command) =>
    command.options.filter((option) => option.value.kind !== 'flag').map((option) => `    ${flagsOf(option).map((f) => quote(`${key(command.path)} ${f}`)).join('|')}) REPLY=${quote(bashKind(option.value))} ;;`),
  );
  const longCases = commands.map((command) => {
    const longs = new Set(ancestry(root, command).flatMap((c) => c.options.flatMap((o) => (o.long ? [o.long] : []))));
    return `    ${quote(key(command.path))}) REPLY=${quote([...longs].join(' '))} ;;`;
  });
  const subcommandCases = commands
    .filter((command) => command.subcommands.length > 0)
    .map((command) => `    ${quote(key(command.path))}) REPLY=${quote(command.subcommands.map((s) => s.name).join(' '))} ;;`);
  const argCases = commands
    .filter((command) => command.args.length > 0 && command.subcommands.length === 0)
    .map((command) => `    ${quote(key(command.path))}) REPLY=(${command.args.map((a) => quote(bashKind(a.value))).join(' ')}); variadic=${command.args.at(-1)!.variadic ? 1 : 0} ;;`);

  return `${comment(HEADER('bash', 'Install: mkdir -p ~/.local/share/bash-completion/completions &&\n  agent-vault completion bash > ~/.local/share/bash-completion/completions/agent-vault\nor, in ~/.bashrc: source <(agent-vault completion bash)'))}

# The agent ids of the store: the names of <store>/vaults/<agent>.vault, where the store is
# $1 (a --store on the line), else $AGENT_VAULT_HOME, else the XDG data directory.
_agent_vault_agents() {
  local dir=$1 file id
  [[ -n $dir ]] || dir=\${AGENT_VAULT_HOME:-\${XDG_DATA_HOME:-$HOME/.local/share}/agent-vault}
  [[ $dir == '~' || $dir == '~/'* ]] && dir=$HOME\${dir#'~'}
  for file in "$dir"/vaults/*.vault; do
    id=\${file##*/}
    id=\${id%.vault}
    [[ -f $file && $id =~ ^[a-z0-9_-]{1,64}$ ]] && printf '%s\\n' "$id"
  done
}

# Credential keys ($1 = keys) or the field names of credential $2 ($1 = fields), from
# agent-vault itself with the line's --store, --agent and --token-file: it opens the vault
# with a token or an owner session only, and prints nothing when it cannot.
_agent_vault_vault_words() {
  local -a call=(__complete "$@")
  [[ -n $tokenfile ]] && call=(--token-file "$tokenfile" "\${call[@]}")
  [[ -n $agent ]] && call=(--agent "$agent" "\${call[@]}")
  [[ -n $store ]] && call=(--store "$store" "\${call[@]}")
  command ${PROGRAM} "\${call[@]}" 2>/dev/null </dev/null
}

# The command path that word $2 names below path $1 (aliases too), in REPLY.
_agent_vault_child() {
  case "$1/$2" in
${childCases.join('\n')}
    *) return 1 ;;
  esac
}

# What value option $2 of the command at path $1 itself takes, in REPLY: text, file, dir,
# agent, or words:<the choices>. Fails for a flag.
_agent_vault_option() {
  case "$1 $2" in
${optionCases.join('\n')}
    *) return 1 ;;
  esac
}

# Like _agent_vault_option, also looking at the commands above path $1, as commander does.
_agent_vault_option_kind() {
  local path=$1
  while ! _agent_vault_option "$path" "$2"; do
    [[ -n $path ]] || return 1
    if [[ $path == */* ]]; then path=\${path%/*}; else path=; fi
  done
}

# The long options of the command at path $1 and of the commands above it, in REPLY.
_agent_vault_long_options() {
  case $1 in
${longCases.join('\n')}
  esac
}

# The subcommands of the command at path $1, in REPLY.
_agent_vault_subcommands() {
  case $1 in
${subcommandCases.join('\n')}
    *) return 1 ;;
  esac
}

# The positional arguments of the command at path $1 as kinds, in the REPLY array;
# variadic=1 when the last one repeats.
_agent_vault_arguments() {
  variadic=0
  case $1 in
${argCases.join('\n')}
    *) REPLY=() ;;
  esac
}

# Keeps the value $2 of the global option $1 when it says where the vault is and who opens it.
_agent_vault_global() {
  local value=$2
  [[ $value == '~' || $value == '~/'* ]] && value=$HOME\${value#'~'}
  case $1 in
    --store) store=$value ;;
    -a | --agent) agent=$value ;;
    --token-file) tokenfile=$value ;;
  esac
}

# Adds to COMPREPLY the words of $1 that start with $cur.
_agent_vault_add_words() {
  local word
  local -a words
  read -ra words <<<"$1"
  for word in "\${words[@]}"; do
    [[ $word == "$cur"* ]] && COMPREPLY+=("$word")
  done
}

# Completes $cur as a value of kind $1.
_agent_vault_value() {
  local id
  case $1 in
    words:*) _agent_vault_add_words "\${1#words:}" ;;
    agent)
      while IFS= read -r id; do
        [[ $id == "$cur"* ]] && COMPREPLY+=("$id")
      done < <(_agent_vault_agents "$store")
      ;;
    credential | field)
      local -a what=(keys)
      [[ $1 == field ]] && what=(fields \${args[0]:+"\${args[0]}"})
      while IFS= read -r id; do
        [[ $id == "$cur"* ]] && COMPREPLY+=("$id")
      done < <(_agent_vault_vault_words "\${what[@]}")
      ;;
    file)
      compopt -o filenames 2>/dev/null
      while IFS= read -r id; do COMPREPLY+=("$id"); done < <(compgen -f -- "$cur")
      ;;
    dir)
      compopt -o filenames 2>/dev/null
      while IFS= read -r id; do COMPREPLY+=("$id"); done < <(compgen -d -- "$cur")
      ;;
  esac
}

_agent_vault() {
  local cur=\${COMP_WORDS[COMP_CWORD]} path= store= agent= tokenfile= pending= word option i=1 nargs=0 variadic REPLY
  local -a args=()
  COMPREPLY=()
  # readline splits --option=value at the '=': the value is then a word of its own.
  [[ $cur == = ]] && cur=
  while (( i < COMP_CWORD )); do
    word=\${COMP_WORDS[i]}
    if [[ $word == -- ]]; then
      # Past --, the words are exec's command line: leave them to the shell.
      if declare -F _command_offset >/dev/null; then _command_offset $((i + 1)); else compopt -o default 2>/dev/null; fi
      return 0
    elif [[ $word == -?* ]]; then
      option=\${word%%=*}
      if [[ $word == *=* ]]; then
        _agent_vault_global "$option" "\${word#*=}"
      elif _agent_vault_option_kind "$path" "$option"; then
        (( i++ ))
        [[ \${COMP_WORDS[i]} == = && i -lt COMP_CWORD ]] && (( i++ ))
        if (( i >= COMP_CWORD )); then
          pending=$REPLY
          break
        fi
        _agent_vault_global "$option" "\${COMP_WORDS[i]}"
      fi
    elif (( nargs == 0 )) && _agent_vault_child "$path" "$word"; then
      path=$REPLY
    else
      args+=("$word")
      (( nargs++ ))
    fi
    (( i++ ))
  done

  if [[ -n $pending ]]; then
    _agent_vault_value "$pending"
  elif [[ $cur == -* ]]; then
    _agent_vault_long_options "$path"
    _agent_vault_add_words "$REPLY"
  elif (( nargs == 0 )) && _agent_vault_subcommands "$path"; then
    _agent_vault_add_words "$REPLY"
  else
    _agent_vault_arguments "$path"
    local count=\${#REPLY[@]}
    if (( nargs < count )); then
      _agent_vault_value "\${REPLY[nargs]}"
    elif (( count > 0 && variadic )); then
      _agent_vault_value "\${REPLY[count - 1]}"
    fi
  fi
  return 0
}

complete -F _agent_vault ${PROGRAM}
`;
}

/** A zsh `_arguments` option description, which a `]` would end early. */
const zshDescription = (text: string): string => text.replace(/[\\[\]]/g, (c) => `\\${c}`);

/** A zsh `_arguments` message, which a `:` would end early. */
const zshMessage = (text: string): string => text.replace(/[\\:]/g, (c) => `\\${c}`);

function zshAction(value: ValueKind): string {
  switch (value.kind) {
    case 'words':
      return `(${value.words.join(' ')})`;
    case 'agent':
      return '_agent_vault_agents';
    case 'credential':
      return '_agent_vault_keys';
    case 'field':
      return '_agent_vault_fields';
    case 'file':
      return '_files';
    case 'dir':
      return '_files -/';
    default:
      return ' ';
  }
}

function zshOptionSpecs(option: OptionSpec): string[] {
  const flags = flagsOf(option);
  const exclusive = option.repeatable ? '*' : flags.length > 1 ? `(${flags.join(' ')})` : '';
  return flags.map((flag) => {
    const takesValue = option.value.kind !== 'flag';
    const suffix = takesValue ? (flag.startsWith('--') ? '=' : '+') : '';
    const value = takesValue ? `:${zshMessage(option.valueName ?? 'value')}:${zshAction(option.value)}` : '';
    return quote(`${exclusive}${flag}${suffix}[${zshDescription(option.description)}]${value}`);
  });
}

const zshFunction = (path: readonly string[]): string => `_agent_vault_cmd${path.map((p) => `_${p.replace(/[^A-Za-z0-9]/g, '_')}`).join('')}`;

function renderZshCommand(command: CommandSpec, ancestors: readonly CommandSpec[]): string {
  const options = [...ancestors, command].flatMap((c) => c.options).flatMap(zshOptionSpecs);
  const lines = (specs: string[]): string => specs.map((s) => `    ${s}`).join(' \\\n');
  if (command.subcommands.length === 0) {
    const args = command.args.map((argument, index) => {
      const message = zshMessage(argument.name);
      const position = argument.variadic ? '*' : argument.required ? `${index + 1}` : `${index + 1}:`;
      return quote(`${position}:${message}:${zshAction(argument.value)}`);
    });
    return `${zshFunction(command.path)}() {
  _arguments -s \\
${lines([...options, ...args])}
}`;
  }
  const described = command.subcommands.map((sub) => `    ${quote(`${sub.name}:${sub.description}`)}`).join('\n');
  const dispatch = command.subcommands.map((sub) => `        ${[sub.name, ...sub.aliases].join('|')}) ${zshFunction(sub.path)} ;;`).join('\n');
  return `${zshFunction(command.path)}() {
  local curcontext=$curcontext state state_descr line
  typeset -A opt_args
  _arguments -C -s \\
${lines([...options, quote(': :->command'), quote('*:: :->argument')])}
  case $state in
    command)
      local -a commands=(
${described.replace(/^/gm, '    ')}
      )
      _describe -t commands ${quote(`${[PROGRAM, ...command.path].join(' ')} command`)} commands
      ;;
    argument)
      curcontext=\${curcontext%:*:*}:${[PROGRAM, ...command.path].join('-')}-$words[1]:
      case $words[1] in
${dispatch}
      esac
      ;;
  esac
}`;
}

function renderZsh(root: CommandSpec): string {
  const functions: string[] = [];
  const names = new Set<string>();
  const walk = (command: CommandSpec, ancestors: CommandSpec[]): void => {
    const name = zshFunction(command.path);
    if (names.has(name)) throw new Error(`two commands complete through one zsh function ${name}`);
    names.add(name);
    functions.push(renderZshCommand(command, ancestors));
    for (const sub of command.subcommands) walk(sub, [...ancestors, command]);
  };
  walk(root, []);
  return `#compdef ${PROGRAM}
${comment(HEADER('zsh', 'Install: mkdir -p ~/.zfunc && agent-vault completion zsh > ~/.zfunc/_agent-vault\nand in ~/.zshrc, before compinit: fpath=(~/.zfunc $fpath)'))}

# The agent ids of the store: the names of <store>/vaults/<agent>.vault, where the store is
# a --store on the line, else $AGENT_VAULT_HOME, else the XDG data directory.
_agent_vault_agents() {
  local dir=\${_agent_vault_store:-\${AGENT_VAULT_HOME:-\${XDG_DATA_HOME:-$HOME/.local/share}/agent-vault}}
  [[ $dir == '~' || $dir == '~/'* ]] && dir=$HOME\${dir#\\~}
  local -a agents expl
  agents=( "$dir"/vaults/*.vault(N-.:t:r) )
  agents=( \${agents:#*[^a-z0-9_-]*} )
  _wanted agents expl agent compadd -a agents
}

# Credential keys ($1 = keys) or the field names of credential $2 ($1 = fields), from
# agent-vault itself with the line's --store, --agent and --token-file: it opens the vault
# with a token or an owner session only, and prints nothing when it cannot.
_agent_vault_vault_words() {
  local -a call=(__complete "$@")
  local store=$_agent_vault_store token_file=$_agent_vault_token_file
  [[ $store == '~' || $store == '~/'* ]] && store=$HOME\${store#\\~}
  [[ $token_file == '~' || $token_file == '~/'* ]] && token_file=$HOME\${token_file#\\~}
  [[ -n $token_file ]] && call=(--token-file $token_file $call)
  [[ -n $_agent_vault_agent ]] && call=(--agent $_agent_vault_agent $call)
  [[ -n $store ]] && call=(--store $store $call)
  command ${PROGRAM} $call 2>/dev/null </dev/null
}

_agent_vault_keys() {
  local -a keys expl
  keys=( \${(f)"$(_agent_vault_vault_words keys)"} )
  _wanted keys expl 'credential key' compadd -a keys
}

# The fields of the credential named by the command's first argument, when there is one.
_agent_vault_fields() {
  local -a fields expl
  fields=( \${(f)"$(_agent_vault_vault_words fields $line[1])"} )
  _wanted fields expl field compadd -a fields
}

${functions.join('\n\n')}

_agent-vault() {
  local _agent_vault_store= _agent_vault_agent= _agent_vault_token_file= i
  for (( i = 2; i < CURRENT; i++ )); do
    case $words[i] in
      --)
        # Past --, the words are exec's command line: leave them to the shell.
        shift i words
        (( CURRENT -= i ))
        _normal
        return
        ;;
      --store) _agent_vault_store=$words[i+1] ;;
      --store=*) _agent_vault_store=\${words[i]#--store=} ;;
      -a | --agent) _agent_vault_agent=$words[i+1] ;;
      --agent=*) _agent_vault_agent=\${words[i]#--agent=} ;;
      --token-file) _agent_vault_token_file=$words[i+1] ;;
      --token-file=*) _agent_vault_token_file=\${words[i]#--token-file=} ;;
    esac
  done
  ${zshFunction([])}
}

if [[ $funcstack[1] == _agent-vault ]]; then
  _agent-vault "$@"
else
  compdef _agent-vault ${PROGRAM}
fi
`;
}

/** A fish single-quoted string. */
const fishQuote = (text: string): string => `'${text.replace(/[\\']/g, (c) => `\\${c}`)}'`;

const fishPath = (path: readonly string[]): string => [PROGRAM, ...path].join('/');

function fishValue(value: ValueKind): string {
  switch (value.kind) {
    case 'flag':
      return '';
    case 'words':
      return ` -x -a ${fishQuote(value.words.join(' '))}`;
    case 'agent':
      return " -x -a '(__agent_vault_agents)'";
    case 'credential':
      return " -x -a '(__agent_vault_vault_words keys)'";
    case 'field':
      return " -x -a '(__agent_vault_vault_words fields)'";
    case 'file':
      return ' -r -F';
    case 'dir':
      return " -x -a '(__fish_complete_directories (commandline -ct))'";
    case 'text':
      return ' -x';
  }
}

function renderFish(root: CommandSpec): string {
  const commands = allCommands(root);
  const childCases = commands.flatMap((command) =>
    command.subcommands.map((sub) => `        case ${[sub.name, ...sub.aliases].map((n) => fishQuote(`${fishPath(command.path)}/${n}`)).join(' ')}\n            echo ${fishQuote(fishPath(sub.path))}`),
  );
  const valueCases = commands.flatMap((command) => {
    const flags = command.options.filter((o) => o.value.kind !== 'flag').flatMap(flagsOf);
    return flags.length === 0 ? [] : [`        case ${flags.map((f) => fishQuote(`${fishPath(command.path)} ${f}`)).join(' ')}\n            return 0`];
  });
  const rules: string[] = [];
  for (const command of commands) {
    const path = fishQuote(fishPath(command.path));
    for (const sub of command.subcommands) {
      rules.push(`complete -c ${PROGRAM} -n "__agent_vault_at ${path}" -a ${sub.name} -d ${fishQuote(sub.description)}`);
    }
    for (const option of command.options) {
      const flags = `${option.short ? ` -s ${option.short.slice(1)}` : ''}${option.long ? ` -l ${option.long.slice(2)}` : ''}`;
      rules.push(`complete -c ${PROGRAM} -n "__agent_vault_in ${path}"${flags}${fishValue(option.value)} -d ${fishQuote(option.description)}`);
    }
    if (command.subcommands.length > 0) continue;
    command.args.forEach((argument, index) => {
      if (argument.value.kind === 'text' || argument.value.kind === 'flag') return;
      const test = `__agent_vault_arg ${path} ${index} ${argument.variadic ? 1 : 0}`;
      rules.push(`complete -c ${PROGRAM} -n "${test}"${fishValue(argument.value).replace(/ -x| -r/, '')}`);
    });
  }

  return `${comment(HEADER('fish', 'Install: mkdir -p ~/.config/fish/completions &&\n  agent-vault completion fish > ~/.config/fish/completions/agent-vault.fish'))}

# The command path that $argv[2] names below path $argv[1] (aliases too).
function __agent_vault_child
    switch "$argv[1]/$argv[2]"
${childCases.join('\n')}
        case '*'
            return 1
    end
end

# Whether option $argv[2] of the command at path $argv[1], or of one above it, takes a value.
function __agent_vault_takes_value
    set -l path $argv[1]
    while true
        switch "$path $argv[2]"
${valueCases.join('\n')}
        end
        string match -q -- '*/*' $path; or return 1
        set path (string replace -r '/[^/]*$' '' -- $path)
    end
end

# The command path and the number of positional arguments before the cursor, one a line;
# fails past --, where the words are exec's command line and the shell's own.
function __agent_vault_state
    set -l words (commandline -opc)
    set -l path ${PROGRAM}
    set -l nargs 0
    set -l skip 0
    set -l child
    set -l args
    for word in $words[2..-1]
        if test $skip = 1
            set skip 0
        else if test "$word" = --
            return 1
        else if string match -q -- '-?*' $word
            if not string match -q -- '*=*' $word; and __agent_vault_takes_value $path $word
                set skip 1
            end
        else if test $nargs = 0; and set child (__agent_vault_child $path $word)
            set path $child
        else
            set nargs (math $nargs + 1)
            set -a args $word
        end
    end
    printf '%s\\n' $path $nargs $args
end

# At the command $argv[1], where its subcommand goes.
function __agent_vault_at
    set -l state (__agent_vault_state); or return 1
    test "$state[1]" = "$argv[1]"; and test "$state[2]" = 0
end

# At the command $argv[1] or one below it (its options apply there too).
function __agent_vault_in
    set -l state (__agent_vault_state); or return 1
    test "$state[1]" = "$argv[1]"; or string match -q -- "$argv[1]/*" $state[1]
end

# At positional argument $argv[2] (from 0) of the command $argv[1]; $argv[3] = 1: or later.
function __agent_vault_arg
    set -l state (__agent_vault_state); or return 1
    test "$state[1]" = "$argv[1]"; or return 1
    if test "$argv[3]" = 1
        test $state[2] -ge $argv[2]
    else
        test $state[2] = $argv[2]
    end
end

# The agent ids of the store: the names of <store>/vaults/<agent>.vault, where the store is
# a --store on the line, else $AGENT_VAULT_HOME, else the XDG data directory.
function __agent_vault_agents
    set -l words (commandline -opc)
    set -l dir
    for i in (seq (count $words))
        if test "$words[$i]" = --store; and test $i -lt (count $words)
            set dir $words[(math $i + 1)]
        else if string match -q -- '--store=*' $words[$i]
            set dir (string replace -- '--store=' '' $words[$i])
        end
    end
    if test -z "$dir"
        if test -n "$AGENT_VAULT_HOME"
            set dir $AGENT_VAULT_HOME
        else if test -n "$XDG_DATA_HOME"
            set dir $XDG_DATA_HOME/agent-vault
        else
            set dir $HOME/.local/share/agent-vault
        end
    end
    set dir (string replace -r '^~(?=/|$)' $HOME -- $dir)
    for file in $dir/vaults/*.vault
        set -l id (string replace -r '^.*/' '' -- $file | string replace -r '\\.vault$' '')
        test -f $file; and string match -qr '^[a-z0-9_-]{1,64}$' -- $id; and echo $id
    end
end

# Credential keys ($argv[1] = keys) or the field names of the credential named by the
# command's first argument ($argv[1] = fields), from agent-vault itself with the line's
# --store, --agent and --token-file: it opens the vault with a token or an owner session
# only, and prints nothing when it cannot.
function __agent_vault_vault_words
    set -l words (commandline -opc)
    set -l call __complete $argv[1]
    if test "$argv[1]" = fields
        set -l state (__agent_vault_state); or return 0
        set -q state[3]; and set -a call $state[3]
    end
    for i in (seq (count $words))
        set -l next
        test $i -lt (count $words); and set next $words[(math $i + 1)]
        switch $words[$i]
            case --store --agent -a --token-file
                test -n "$next"; and set -p call $words[$i] (string replace -r '^~(?=/|$)' $HOME -- $next)
            case '--store=*' '--agent=*' '--token-file=*'
                set -p call (string replace -r '=~(?=/|$)' "=$HOME" -- $words[$i])
        end
    end
    command ${PROGRAM} $call 2>/dev/null </dev/null
end

# No file names where a command, an option or an argument of ours goes.
complete -c ${PROGRAM} -n "__agent_vault_in ${PROGRAM}" -f
${rules.join('\n')}
`;
}
