# bash completion for agent-vault, generated from its command tree by
# scripts/gen-completions.mjs (the same as `agent-vault completion bash`): do not edit.
# Install: mkdir -p ~/.local/share/bash-completion/completions &&
#   agent-vault completion bash > ~/.local/share/bash-completion/completions/agent-vault
# or, in ~/.bashrc: source <(agent-vault completion bash)

# The agent ids of the store: the names of <store>/vaults/<agent>.vault, where the store is
# $1 (a --store on the line), else $AGENT_VAULT_HOME, else the XDG data directory.
_agent_vault_agents() {
  local dir=$1 file id
  [[ -n $dir ]] || dir=${AGENT_VAULT_HOME:-${XDG_DATA_HOME:-$HOME/.local/share}/agent-vault}
  [[ $dir == '~' || $dir == '~/'* ]] && dir=$HOME${dir#'~'}
  for file in "$dir"/vaults/*.vault; do
    id=${file##*/}
    id=${id%.vault}
    [[ -f $file && $id =~ ^[a-z0-9_-]{1,64}$ ]] && printf '%s\n' "$id"
  done
}

# Credential keys ($1 = keys) or the field names of credential $2 ($1 = fields), from
# agent-vault itself with the line's --store, --agent and --token-file: it opens the vault
# with a token or an owner session only, and prints nothing when it cannot.
_agent_vault_vault_words() {
  local -a call=(__complete "$@")
  [[ -n $tokenfile ]] && call=(--token-file "$tokenfile" "${call[@]}")
  [[ -n $agent ]] && call=(--agent "$agent" "${call[@]}")
  [[ -n $store ]] && call=(--store "$store" "${call[@]}")
  command agent-vault "${call[@]}" 2>/dev/null </dev/null
}

# The command path that word $2 names below path $1 (aliases too), in REPLY.
_agent_vault_child() {
  case "$1/$2" in
    '/init') REPLY='init' ;;
    '/provision') REPLY='provision' ;;
    '/status') REPLY='status' ;;
    '/deprovision') REPLY='deprovision' ;;
    '/token') REPLY='token' ;;
    '/credential'|'/cred') REPLY='credential' ;;
    '/totp') REPLY='totp' ;;
    '/generate') REPLY='generate' ;;
    '/audit') REPLY='audit' ;;
    '/grant') REPLY='grant' ;;
    '/proposal') REPLY='proposal' ;;
    '/exec') REPLY='exec' ;;
    '/import') REPLY='import' ;;
    '/export') REPLY='export' ;;
    '/backup') REPLY='backup' ;;
    '/restore') REPLY='restore' ;;
    '/service') REPLY='service' ;;
    '/http') REPLY='http' ;;
    '/proxy') REPLY='proxy' ;;
    '/hook') REPLY='hook' ;;
    '/unlock') REPLY='unlock' ;;
    '/lock') REPLY='lock' ;;
    '/passwd') REPLY='passwd' ;;
    '/rekey') REPLY='rekey' ;;
    '/store') REPLY='store' ;;
    '/mcp') REPLY='mcp' ;;
    '/config') REPLY='config' ;;
    '/read') REPLY='read' ;;
    '/inject') REPLY='inject' ;;
    '/completion') REPLY='completion' ;;
    '/help') REPLY='help' ;;
    'token/rotate') REPLY='token/rotate' ;;
    'token/help') REPLY='token/help' ;;
    'credential/set') REPLY='credential/set' ;;
    'credential/add') REPLY='credential/add' ;;
    'credential/get'|'credential/show') REPLY='credential/get' ;;
    'credential/list'|'credential/ls') REPLY='credential/list' ;;
    'credential/search') REPLY='credential/search' ;;
    'credential/update') REPLY='credential/update' ;;
    'credential/edit') REPLY='credential/edit' ;;
    'credential/delete'|'credential/rm') REPLY='credential/delete' ;;
    'credential/copy'|'credential/cp') REPLY='credential/copy' ;;
    'credential/history') REPLY='credential/history' ;;
    'credential/restore') REPLY='credential/restore' ;;
    'credential/due') REPLY='credential/due' ;;
    'credential/rotate') REPLY='credential/rotate' ;;
    'credential/help') REPLY='credential/help' ;;
    'audit/verify') REPLY='audit/verify' ;;
    'audit/report') REPLY='audit/report' ;;
    'grant/list'|'grant/ls') REPLY='grant/list' ;;
    'grant/revoke') REPLY='grant/revoke' ;;
    'proposal/create') REPLY='proposal/create' ;;
    'proposal/list'|'proposal/ls') REPLY='proposal/list' ;;
    'proposal/show') REPLY='proposal/show' ;;
    'proposal/approve') REPLY='proposal/approve' ;;
    'proposal/reject') REPLY='proposal/reject' ;;
    'proposal/wait') REPLY='proposal/wait' ;;
    'proposal/help') REPLY='proposal/help' ;;
    'backup/verify') REPLY='backup/verify' ;;
    'service/add') REPLY='service/add' ;;
    'service/list'|'service/ls') REPLY='service/list' ;;
    'service/remove'|'service/rm') REPLY='service/remove' ;;
    'service/help') REPLY='service/help' ;;
    'hook/add') REPLY='hook/add' ;;
    'hook/list') REPLY='hook/list' ;;
    'hook/remove'|'hook/rm') REPLY='hook/remove' ;;
    'hook/test') REPLY='hook/test' ;;
    'hook/run') REPLY='hook/run' ;;
    'hook/help') REPLY='hook/help' ;;
    'store/migrate') REPLY='store/migrate' ;;
    'store/help') REPLY='store/help' ;;
    'config/get') REPLY='config/get' ;;
    'config/list') REPLY='config/list' ;;
    'config/set') REPLY='config/set' ;;
    'config/unset') REPLY='config/unset' ;;
    'config/help') REPLY='config/help' ;;
    *) return 1 ;;
  esac
}

# What value option $2 of the command at path $1 itself takes, in REPLY: text, file, dir,
# agent, or words:<the choices>. Fails for a flag.
_agent_vault_option() {
  case "$1 $2" in
    ' --store') REPLY='dir' ;;
    ' -a'|' --agent') REPLY='agent' ;;
    ' --passphrase-file') REPLY='file' ;;
    ' --token-file') REPLY='file' ;;
    'init --kdf-memory') REPLY='text' ;;
    'init --kdf-iterations') REPLY='text' ;;
    'init --kdf-parallelism') REPLY='text' ;;
    'credential/add -t'|'credential/add --type') REPLY='words:login secure_note card identity api_key' ;;
    'credential/add --reveal-policy') REPLY='words:any brokered' ;;
    'credential/add --name') REPLY='text' ;;
    'credential/add --tag') REPLY='text' ;;
    'credential/add --uri') REPLY='text' ;;
    'credential/add --username') REPLY='text' ;;
    'credential/add --cardholder') REPLY='text' ;;
    'credential/add --expiry') REPLY='text' ;;
    'credential/add --full-name') REPLY='text' ;;
    'credential/add --email') REPLY='text' ;;
    'credential/add --phone') REPLY='text' ;;
    'credential/add --address') REPLY='text' ;;
    'credential/add --password-file') REPLY='file' ;;
    'credential/add --totp-file') REPLY='file' ;;
    'credential/add --notes-file') REPLY='file' ;;
    'credential/add --number-file') REPLY='file' ;;
    'credential/add --cvv-file') REPLY='file' ;;
    'credential/add --value-file') REPLY='file' ;;
    'credential/add --totp') REPLY='text' ;;
    'credential/add --rotate-every') REPLY='text' ;;
    'credential/add --expires') REPLY='text' ;;
    'credential/get -f'|'credential/get --field') REPLY='field' ;;
    'credential/get --clip-timeout') REPLY='text' ;;
    'credential/list -t'|'credential/list --type') REPLY='words:login secure_note card identity api_key' ;;
    'credential/search -t'|'credential/search --type') REPLY='words:login secure_note card identity api_key' ;;
    'credential/update --rename') REPLY='text' ;;
    'credential/update --reveal-policy') REPLY='words:any brokered' ;;
    'credential/update --name') REPLY='text' ;;
    'credential/update --tag') REPLY='text' ;;
    'credential/update --uri') REPLY='text' ;;
    'credential/update --username') REPLY='text' ;;
    'credential/update --cardholder') REPLY='text' ;;
    'credential/update --expiry') REPLY='text' ;;
    'credential/update --full-name') REPLY='text' ;;
    'credential/update --email') REPLY='text' ;;
    'credential/update --phone') REPLY='text' ;;
    'credential/update --address') REPLY='text' ;;
    'credential/update --password-file') REPLY='file' ;;
    'credential/update --totp-file') REPLY='file' ;;
    'credential/update --notes-file') REPLY='file' ;;
    'credential/update --number-file') REPLY='file' ;;
    'credential/update --cvv-file') REPLY='file' ;;
    'credential/update --value-file') REPLY='file' ;;
    'credential/update --totp') REPLY='text' ;;
    'credential/update --rotate-every') REPLY='text' ;;
    'credential/update --expires') REPLY='text' ;;
    'credential/copy --to-agent') REPLY='text' ;;
    'credential/due --within') REPLY='text' ;;
    'credential/rotate -l'|'credential/rotate --length') REPLY='text' ;;
    'credential/rotate --words') REPLY='text' ;;
    'credential/rotate --separator') REPLY='text' ;;
    'totp --fresh') REPLY='text' ;;
    'totp --clip-timeout') REPLY='text' ;;
    'generate -l'|'generate --length') REPLY='text' ;;
    'generate --words') REPLY='text' ;;
    'generate --separator') REPLY='text' ;;
    'generate --save') REPLY='text' ;;
    'generate --field') REPLY='words:password notes number cvv value' ;;
    'audit --action') REPLY='text' ;;
    'audit --key') REPLY='text' ;;
    'audit --since') REPLY='text' ;;
    'audit --limit') REPLY='text' ;;
    'grant --to') REPLY='agent' ;;
    'grant --expires') REPLY='text' ;;
    'grant/revoke --to') REPLY='agent' ;;
    'proposal/create --credential') REPLY='text' ;;
    'proposal/create --delete') REPLY='text' ;;
    'proposal/create --obtain') REPLY='text' ;;
    'proposal/create --instructions') REPLY='text' ;;
    'proposal/create -m'|'proposal/create --message') REPLY='text' ;;
    'proposal/create --ttl') REPLY='text' ;;
    'proposal/create --wait') REPLY='text' ;;
    'proposal/list --status') REPLY='words:pending applied rejected expired' ;;
    'proposal/reject --reason') REPLY='text' ;;
    'proposal/wait --timeout') REPLY='text' ;;
    'exec --only') REPLY='text' ;;
    'exec --prefix') REPLY='text' ;;
    'exec --env-file') REPLY='file' ;;
    'exec --allow-env') REPLY='text' ;;
    'exec --upstream-ca') REPLY='file' ;;
    'import --on-conflict') REPLY='words:skip overwrite rename' ;;
    'import --kdbx-password-file') REPLY='file' ;;
    'export --format') REPLY='words:json dotenv' ;;
    'backup --recipient') REPLY='text' ;;
    'backup --backup-passphrase-file') REPLY='file' ;;
    'backup/verify --identity') REPLY='file' ;;
    'backup/verify --backup-passphrase-file') REPLY='file' ;;
    'restore --identity') REPLY='file' ;;
    'restore --backup-passphrase-file') REPLY='file' ;;
    'service/add --host') REPLY='text' ;;
    'service/add --credential') REPLY='text' ;;
    'service/add --auth') REPLY='text' ;;
    'service/add --methods') REPLY='text' ;;
    'service/add --path') REPLY='text' ;;
    'service/add --substitute') REPLY='text' ;;
    'http -H'|'http --header') REPLY='text' ;;
    'http -d'|'http --data') REPLY='text' ;;
    'http --upstream-ca') REPLY='file' ;;
    'proxy --port') REPLY='text' ;;
    'proxy --upstream-ca') REPLY='file' ;;
    'hook/add --event') REPLY='text' ;;
    'hook/add --url') REPLY='text' ;;
    'hook/add --exec') REPLY='text' ;;
    'unlock --ttl') REPLY='text' ;;
    'unlock --session-dir') REPLY='dir' ;;
    'lock --session-dir') REPLY='dir' ;;
    'passwd --new-passphrase-file') REPLY='file' ;;
    'passwd --kdf-memory') REPLY='text' ;;
    'passwd --kdf-iterations') REPLY='text' ;;
    'passwd --kdf-parallelism') REPLY='text' ;;
    'rekey --token-dir') REPLY='dir' ;;
    'store/migrate --from') REPLY='agent' ;;
    'store/migrate --to') REPLY='agent' ;;
    'mcp --allow-reveal') REPLY='text' ;;
    'mcp --upstream-ca') REPLY='file' ;;
    'inject -i'|'inject --in-file') REPLY='file' ;;
    'inject -o'|'inject --out-file') REPLY='file' ;;
    *) return 1 ;;
  esac
}

# Like _agent_vault_option, also looking at the commands above path $1, as commander does.
_agent_vault_option_kind() {
  local path=$1
  while ! _agent_vault_option "$path" "$2"; do
    [[ -n $path ]] || return 1
    if [[ $path == */* ]]; then path=${path%/*}; else path=; fi
  done
}

# The long options of the command at path $1 and of the commands above it, in REPLY.
_agent_vault_long_options() {
  case $1 in
    '') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help' ;;
    'init') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help --kdf-memory --kdf-iterations --kdf-parallelism' ;;
    'provision') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help' ;;
    'status') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help' ;;
    'deprovision') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help' ;;
    'token') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help' ;;
    'token/rotate') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help' ;;
    'token/help') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help' ;;
    'credential') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help' ;;
    'credential/set') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help --allow-empty' ;;
    'credential/add') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help --type --reveal-policy --name --tag --uri --username --cardholder --expiry --full-name --email --phone --address --password-stdin --password-file --totp-stdin --totp-file --notes-stdin --notes-file --number-stdin --number-file --cvv-stdin --cvv-file --value-stdin --value-file --totp --json-stdin --allow-empty --rotate-every --expires' ;;
    'credential/get') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help --field --no-newline --reveal --clip --clip-timeout' ;;
    'credential/list') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help --reveal --type' ;;
    'credential/search') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help --reveal --type' ;;
    'credential/update') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help --rename --reveal-policy --name --tag --uri --username --cardholder --expiry --full-name --email --phone --address --password-stdin --password-file --totp-stdin --totp-file --notes-stdin --notes-file --number-stdin --number-file --cvv-stdin --cvv-file --value-stdin --value-file --totp --json-stdin --allow-empty --rotate-every --expires' ;;
    'credential/edit') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help' ;;
    'credential/delete') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help' ;;
    'credential/copy') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help --to-agent --force' ;;
    'credential/history') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help --reveal' ;;
    'credential/restore') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help' ;;
    'credential/due') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help --within --notify' ;;
    'credential/rotate') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help --value-stdin --length --no-upper --no-lower --no-digits --no-symbols --exclude-ambiguous --passphrase --words --separator --capitalize --number' ;;
    'credential/help') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help' ;;
    'totp') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help --fresh --clip --clip-timeout --qr --reveal' ;;
    'generate') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help --length --no-upper --no-lower --no-digits --no-symbols --exclude-ambiguous --passphrase --words --separator --capitalize --number --save --field' ;;
    'audit') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help --action --key --since --limit --follow' ;;
    'audit/verify') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help --action --key --since --limit --follow' ;;
    'audit/report') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help --action --key --since --limit --follow' ;;
    'grant') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help --to --expires' ;;
    'grant/list') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help --to --expires' ;;
    'grant/revoke') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help --to --expires' ;;
    'proposal') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help' ;;
    'proposal/create') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help --credential --delete --obtain --instructions --message --json-stdin --ttl --wait' ;;
    'proposal/list') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help --status' ;;
    'proposal/show') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help --reveal' ;;
    'proposal/approve') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help --json-stdin' ;;
    'proposal/reject') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help --reason' ;;
    'proposal/wait') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help --timeout' ;;
    'proposal/help') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help' ;;
    'exec') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help --only --prefix --pristine --mask --env-file --allow-env --broker --deny-unmatched --upstream-ca' ;;
    'import') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help --on-conflict --dry-run --kdbx-password-file' ;;
    'export') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help --format' ;;
    'backup') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help --recipient --backup-passphrase-file' ;;
    'backup/verify') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help --recipient --backup-passphrase-file --identity' ;;
    'restore') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help --identity --backup-passphrase-file' ;;
    'service') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help' ;;
    'service/add') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help --host --credential --auth --methods --path --substitute --allow-private' ;;
    'service/list') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help' ;;
    'service/remove') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help' ;;
    'service/help') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help' ;;
    'http') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help --header --data --include --location --upstream-ca' ;;
    'proxy') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help --port --deny-unmatched --upstream-ca' ;;
    'hook') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help' ;;
    'hook/add') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help --event --url --exec' ;;
    'hook/list') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help' ;;
    'hook/remove') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help' ;;
    'hook/test') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help' ;;
    'hook/run') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help --follow' ;;
    'hook/help') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help' ;;
    'unlock') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help --ttl --sh --session-dir' ;;
    'lock') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help --session-dir' ;;
    'passwd') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help --new-passphrase-file --new-passphrase-stdin --force --kdf-memory --kdf-iterations --kdf-parallelism' ;;
    'rekey') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help --tokens --token-dir' ;;
    'store') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help' ;;
    'store/migrate') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help --from --to' ;;
    'store/help') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help' ;;
    'mcp') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help --allow-reveal --read-only --upstream-ca' ;;
    'config') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help' ;;
    'config/get') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help' ;;
    'config/list') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help' ;;
    'config/set') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help' ;;
    'config/unset') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help' ;;
    'config/help') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help' ;;
    'read') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help --no-newline --reveal' ;;
    'inject') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help --in-file --out-file --force --reveal' ;;
    'completion') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help' ;;
    'help') REPLY='--version --store --agent --json --no-color --quiet --yes --passphrase-file --passphrase-stdin --token-file --help' ;;
  esac
}

# The subcommands of the command at path $1, in REPLY.
_agent_vault_subcommands() {
  case $1 in
    '') REPLY='init provision status deprovision token credential totp generate audit grant proposal exec import export backup restore service http proxy hook unlock lock passwd rekey store mcp config read inject completion help' ;;
    'token') REPLY='rotate help' ;;
    'credential') REPLY='set add get list search update edit delete copy history restore due rotate help' ;;
    'audit') REPLY='verify report' ;;
    'grant') REPLY='list revoke' ;;
    'proposal') REPLY='create list show approve reject wait help' ;;
    'backup') REPLY='verify' ;;
    'service') REPLY='add list remove help' ;;
    'hook') REPLY='add list remove test run help' ;;
    'store') REPLY='migrate help' ;;
    'config') REPLY='get list set unset help' ;;
    *) return 1 ;;
  esac
}

# The positional arguments of the command at path $1 as kinds, in the REPLY array;
# variadic=1 when the last one repeats.
_agent_vault_arguments() {
  variadic=0
  case $1 in
    'provision') REPLY=('text'); variadic=0 ;;
    'status') REPLY=('agent'); variadic=0 ;;
    'deprovision') REPLY=('agent'); variadic=0 ;;
    'token/rotate') REPLY=('agent'); variadic=0 ;;
    'token/help') REPLY=('text'); variadic=0 ;;
    'credential/set') REPLY=('text'); variadic=1 ;;
    'credential/add') REPLY=('text'); variadic=0 ;;
    'credential/get') REPLY=('credential'); variadic=0 ;;
    'credential/search') REPLY=('text'); variadic=0 ;;
    'credential/update') REPLY=('credential'); variadic=0 ;;
    'credential/edit') REPLY=('credential'); variadic=0 ;;
    'credential/delete') REPLY=('credential'); variadic=0 ;;
    'credential/copy') REPLY=('text' 'text'); variadic=0 ;;
    'credential/history') REPLY=('credential'); variadic=0 ;;
    'credential/restore') REPLY=('credential' 'text'); variadic=0 ;;
    'credential/rotate') REPLY=('credential' 'text'); variadic=1 ;;
    'credential/help') REPLY=('text'); variadic=0 ;;
    'totp') REPLY=('credential'); variadic=0 ;;
    'grant/revoke') REPLY=('credential'); variadic=0 ;;
    'proposal/show') REPLY=('text'); variadic=0 ;;
    'proposal/approve') REPLY=('text'); variadic=0 ;;
    'proposal/reject') REPLY=('text'); variadic=0 ;;
    'proposal/wait') REPLY=('text'); variadic=0 ;;
    'proposal/help') REPLY=('text'); variadic=0 ;;
    'exec') REPLY=('text'); variadic=1 ;;
    'import') REPLY=('words:dotenv json bitwarden-json keepassxc-csv kdbx 1password-csv otpauth pass' 'text'); variadic=0 ;;
    'backup/verify') REPLY=('text'); variadic=0 ;;
    'restore') REPLY=('text'); variadic=0 ;;
    'service/add') REPLY=('text'); variadic=0 ;;
    'service/remove') REPLY=('text'); variadic=0 ;;
    'service/help') REPLY=('text'); variadic=0 ;;
    'http') REPLY=('text' 'text'); variadic=0 ;;
    'hook/remove') REPLY=('text'); variadic=0 ;;
    'hook/test') REPLY=('text'); variadic=0 ;;
    'hook/help') REPLY=('text'); variadic=0 ;;
    'store/help') REPLY=('text'); variadic=0 ;;
    'config/get') REPLY=('text'); variadic=0 ;;
    'config/set') REPLY=('text' 'text'); variadic=0 ;;
    'config/unset') REPLY=('text'); variadic=0 ;;
    'config/help') REPLY=('text'); variadic=0 ;;
    'read') REPLY=('text'); variadic=0 ;;
    'completion') REPLY=('words:bash zsh fish'); variadic=0 ;;
    'help') REPLY=('words:exit-codes environment init provision status deprovision token credential totp generate audit grant proposal exec import export backup restore service http proxy hook unlock lock passwd rekey store mcp config read inject completion'); variadic=1 ;;
    *) REPLY=() ;;
  esac
}

# Keeps the value $2 of the global option $1 when it says where the vault is and who opens it.
_agent_vault_global() {
  local value=$2
  [[ $value == '~' || $value == '~/'* ]] && value=$HOME${value#'~'}
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
  for word in "${words[@]}"; do
    [[ $word == "$cur"* ]] && COMPREPLY+=("$word")
  done
}

# Completes $cur as a value of kind $1.
_agent_vault_value() {
  local id
  case $1 in
    words:*) _agent_vault_add_words "${1#words:}" ;;
    agent)
      while IFS= read -r id; do
        [[ $id == "$cur"* ]] && COMPREPLY+=("$id")
      done < <(_agent_vault_agents "$store")
      ;;
    credential | field)
      local -a what=(keys)
      [[ $1 == field ]] && what=(fields ${args[0]:+"${args[0]}"})
      while IFS= read -r id; do
        [[ $id == "$cur"* ]] && COMPREPLY+=("$id")
      done < <(_agent_vault_vault_words "${what[@]}")
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
  local cur=${COMP_WORDS[COMP_CWORD]} path= store= agent= tokenfile= pending= word option i=1 nargs=0 variadic REPLY
  local -a args=()
  COMPREPLY=()
  # readline splits --option=value at the '=': the value is then a word of its own.
  [[ $cur == = ]] && cur=
  while (( i < COMP_CWORD )); do
    word=${COMP_WORDS[i]}
    if [[ $word == -- ]]; then
      # Past --, the words are exec's command line: leave them to the shell.
      if declare -F _command_offset >/dev/null; then _command_offset $((i + 1)); else compopt -o default 2>/dev/null; fi
      return 0
    elif [[ $word == -?* ]]; then
      option=${word%%=*}
      if [[ $word == *=* ]]; then
        _agent_vault_global "$option" "${word#*=}"
      elif _agent_vault_option_kind "$path" "$option"; then
        (( i++ ))
        [[ ${COMP_WORDS[i]} == = && i -lt COMP_CWORD ]] && (( i++ ))
        if (( i >= COMP_CWORD )); then
          pending=$REPLY
          break
        fi
        _agent_vault_global "$option" "${COMP_WORDS[i]}"
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
    local count=${#REPLY[@]}
    if (( nargs < count )); then
      _agent_vault_value "${REPLY[nargs]}"
    elif (( count > 0 && variadic )); then
      _agent_vault_value "${REPLY[count - 1]}"
    fi
  fi
  return 0
}

complete -F _agent_vault agent-vault
