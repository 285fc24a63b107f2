# fish completion for agent-vault, generated from its command tree by
# scripts/gen-completions.mjs (the same as `agent-vault completion fish`): do not edit.
# Install: mkdir -p ~/.config/fish/completions &&
#   agent-vault completion fish > ~/.config/fish/completions/agent-vault.fish

# The command path that $argv[2] names below path $argv[1] (aliases too).
function __agent_vault_child
    switch "$argv[1]/$argv[2]"
        case 'agent-vault/init'
            echo 'agent-vault/init'
        case 'agent-vault/provision'
            echo 'agent-vault/provision'
        case 'agent-vault/status'
            echo 'agent-vault/status'
        case 'agent-vault/deprovision'
            echo 'agent-vault/deprovision'
        case 'agent-vault/token'
            echo 'agent-vault/token'
        case 'agent-vault/credential' 'agent-vault/cred'
            echo 'agent-vault/credential'
        case 'agent-vault/totp'
            echo 'agent-vault/totp'
        case 'agent-vault/generate'
            echo 'agent-vault/generate'
        case 'agent-vault/audit'
            echo 'agent-vault/audit'
        case 'agent-vault/grant'
            echo 'agent-vault/grant'
        case 'agent-vault/proposal'
            echo 'agent-vault/proposal'
        case 'agent-vault/exec'
            echo 'agent-vault/exec'
        case 'agent-vault/import'
            echo 'agent-vault/import'
        case 'agent-vault/export'
            echo 'agent-vault/export'
        case 'agent-vault/backup'
            echo 'agent-vault/backup'
        case 'agent-vault/restore'
            echo 'agent-vault/restore'
        case 'agent-vault/service'
            echo 'agent-vault/service'
        case 'agent-vault/http'
            echo 'agent-vault/http'
        case 'agent-vault/proxy'
            echo 'agent-vault/proxy'
        case 'agent-vault/hook'
            echo 'agent-vault/hook'
        case 'agent-vault/unlock'
            echo 'agent-vault/unlock'
        case 'agent-vault/lock'
            echo 'agent-vault/lock'
        case 'agent-vault/passwd'
            echo 'agent-vault/passwd'
        case 'agent-vault/rekey'
            echo 'agent-vault/rekey'
        case 'agent-vault/store'
            echo 'agent-vault/store'
        case 'agent-vault/mcp'
            echo 'agent-vault/mcp'
        case 'agent-vault/config'
            echo 'agent-vault/config'
        case 'agent-vault/read'
            echo 'agent-vault/read'
        case 'agent-vault/inject'
            echo 'agent-vault/inject'
        case 'agent-vault/completion'
            echo 'agent-vault/completion'
        case 'agent-vault/help'
            echo 'agent-vault/help'
        case 'agent-vault/token/rotate'
            echo 'agent-vault/token/rotate'
        case 'agent-vault/token/help'
            echo 'agent-vault/token/help'
        case 'agent-vault/credential/set'
            echo 'agent-vault/credential/set'
        case 'agent-vault/credential/add'
            echo 'agent-vault/credential/add'
        case 'agent-vault/credential/get' 'agent-vault/credential/show'
            echo 'agent-vault/credential/get'
        case 'agent-vault/credential/list' 'agent-vault/credential/ls'
            echo 'agent-vault/credential/list'
        case 'agent-vault/credential/search'
            echo 'agent-vault/credential/search'
        case 'agent-vault/credential/update'
            echo 'agent-vault/credential/update'
        case 'agent-vault/credential/edit'
            echo 'agent-vault/credential/edit'
        case 'agent-vault/credential/delete' 'agent-vault/credential/rm'
            echo 'agent-vault/credential/delete'
        case 'agent-vault/credential/copy' 'agent-vault/credential/cp'
            echo 'agent-vault/credential/copy'
        case 'agent-vault/credential/history'
            echo 'agent-vault/credential/history'
        case 'agent-vault/credential/restore'
            echo 'agent-vault/credential/restore'
        case 'agent-vault/credential/due'
            echo 'agent-vault/credential/due'
        case 'agent-vault/credential/rotate'
            echo 'agent-vault/credential/rotate'
        case 'agent-vault/credential/help'
            echo 'agent-vault/credential/help'
        case 'agent-vault/audit/verify'
            echo 'agent-vault/audit/verify'
        case 'agent-vault/audit/report'
            echo 'agent-vault/audit/report'
        case 'agent-vault/grant/list' 'agent-vault/grant/ls'
            echo 'agent-vault/grant/list'
        case 'agent-vault/grant/revoke'
            echo 'agent-vault/grant/revoke'
        case 'agent-vault/proposal/create'
            echo 'agent-vault/proposal/create'
        case 'agent-vault/proposal/list' 'agent-vault/proposal/ls'
            echo 'agent-vault/proposal/list'
        case 'agent-vault/proposal/show'
            echo 'agent-vault/proposal/show'
        case 'agent-vault/proposal/approve'
            echo 'agent-vault/proposal/approve'
        case 'agent-vault/proposal/reject'
            echo 'agent-vault/proposal/reject'
        case 'agent-vault/proposal/wait'
            echo 'agent-vault/proposal/wait'
        case 'agent-vault/proposal/help'
            echo 'agent-vault/proposal/help'
        case 'agent-vault/backup/verify'
            echo 'agent-vault/backup/verify'
        case 'agent-vault/service/add'
            echo 'agent-vault/service/add'
        case 'agent-vault/service/list' 'agent-vault/service/ls'
            echo 'agent-vault/service/list'
        case 'agent-vault/service/remove' 'agent-vault/service/rm'
            echo 'agent-vault/service/remove'
        case 'agent-vault/service/help'
            echo 'agent-vault/service/help'
        case 'agent-vault/hook/add'
            echo 'agent-vault/hook/add'
        case 'agent-vault/hook/list'
            echo 'agent-vault/hook/list'
        case 'agent-vault/hook/remove' 'agent-vault/hook/rm'
            echo 'agent-vault/hook/remove'
        case 'agent-vault/hook/test'
            echo 'agent-vault/hook/test'
        case 'agent-vault/hook/run'
            echo 'agent-vault/hook/run'
        case 'agent-vault/hook/help'
            echo 'agent-vault/hook/help'
        case 'agent-vault/store/migrate'
            echo 'agent-vault/store/migrate'
        case 'agent-vault/store/help'
            echo 'agent-vault/store/help'
        case 'agent-vault/config/get'
            echo 'agent-vault/config/get'
        case 'agent-vault/config/list'
            echo 'agent-vault/config/list'
        case 'agent-vault/config/set'
            echo 'agent-vault/config/set'
        case 'agent-vault/config/unset'
            echo 'agent-vault/config/unset'
        case 'agent-vault/config/help'
            echo 'agent-vault/config/help'
        case '*'
            return 1
    end
end

# Whether option $argv[2] of the command at path $argv[1], or of one above it, takes a value.
function __agent_vault_takes_value
    set -l path $argv[1]
    while true
        switch "$path $argv[2]"
        case 'agent-vault --store' 'agent-vault -a' 'agent-vault --agent' 'agent-vault --passphrase-file' 'agent-vault --token-file'
            return 0
        case 'agent-vault/init --kdf-memory' 'agent-vault/init --kdf-iterations' 'agent-vault/init --kdf-parallelism'
            return 0
        case 'agent-vault/credential/add -t' 'agent-vault/credential/add --type' 'agent-vault/credential/add --reveal-policy' 'agent-vault/credential/add --name' 'agent-vault/credential/add --tag' 'agent-vault/credential/add --uri' 'agent-vault/credential/add --username' 'agent-vault/credential/add --cardholder' 'agent-vault/credential/add --expiry' 'agent-vault/credential/add --full-name' 'agent-vault/credential/add --email' 'agent-vault/credential/add --phone' 'agent-vault/credential/add --address' 'agent-vault/credential/add --password-file' 'agent-vault/credential/add --totp-file' 'agent-vault/credential/add --notes-file' 'agent-vault/credential/add --number-file' 'agent-vault/credential/add --cvv-file' 'agent-vault/credential/add --value-file' 'agent-vault/credential/add --totp' 'agent-vault/credential/add --rotate-every' 'agent-vault/credential/add --expires'
            return 0
        case 'agent-vault/credential/get -f' 'agent-vault/credential/get --field' 'agent-vault/credential/get --clip-timeout'
            return 0
        case 'agent-vault/credential/list -t' 'agent-vault/credential/list --type'
            return 0
        case 'agent-vault/credential/search -t' 'agent-vault/credential/search --type'
            return 0
        case 'agent-vault/credential/update --rename' 'agent-vault/credential/update --reveal-policy' 'agent-vault/credential/update --name' 'agent-vault/credential/update --tag' 'agent-vault/credential/update --uri' 'agent-vault/credential/update --username' 'agent-vault/credential/update --cardholder' 'agent-vault/credential/update --expiry' 'agent-vault/credential/update --full-name' 'agent-vault/credential/update --email' 'agent-vault/credential/update --phone' 'agent-vault/credential/update --address' 'agent-vault/credential/update --password-file' 'agent-vault/credential/update --totp-file' 'agent-vault/credential/update --notes-file' 'agent-vault/credential/update --number-file' 'agent-vault/credential/update --cvv-file' 'agent-vault/credential/update --value-file' 'agent-vault/credential/update --totp' 'agent-vault/credential/update --rotate-every' 'agent-vault/credential/update --expires'
            return 0
        case 'agent-vault/credential/copy --to-agent'
            return 0
        case 'agent-vault/credential/due --within'
            return 0
        case 'agent-vault/credential/rotate -l' 'agent-vault/credential/rotate --length' 'agent-vault/credential/rotate --words' 'agent-vault/credential/rotate --separator'
            return 0
        case 'agent-vault/totp --fresh' 'agent-vault/totp --clip-timeout'
            return 0
        case 'agent-vault/generate -l' 'agent-vault/generate --length' 'agent-vault/generate --words' 'agent-vault/generate --separator' 'agent-vault/generate --save' 'agent-vault/generate --field'
            return 0
        case 'agent-vault/audit --action' 'agent-vault/audit --key' 'agent-vault/audit --since' 'agent-vault/audit --limit'
            return 0
        case 'agent-vault/grant --to' 'agent-vault/grant --expires'
            return 0
        case 'agent-vault/grant/revoke --to'
            return 0
        case 'agent-vault/proposal/create --credential' 'agent-vault/proposal/create --delete' 'agent-vault/proposal/create --obtain' 'agent-vault/proposal/create --instructions' 'agent-vault/proposal/create -m' 'agent-vault/proposal/create --message' 'agent-vault/proposal/create --ttl' 'agent-vault/proposal/create --wait'
            return 0
        case 'agent-vault/proposal/list --status'
            return 0
        case 'agent-vault/proposal/reject --reason'
            return 0
        case 'agent-vault/proposal/wait --timeout'
            return 0
        case 'agent-vault/exec --only' 'agent-vault/exec --prefix' 'agent-vault/exec --env-file' 'agent-vault/exec --allow-env' 'agent-vault/exec --upstream-ca'
            return 0
        case 'agent-vault/import --on-conflict' 'agent-vault/import --kdbx-password-file'
            return 0
        case 'agent-vault/export --format'
            return 0
        case 'agent-vault/backup --recipient' 'agent-vault/backup --backup-passphrase-file'
            return 0
        case 'agent-vault/backup/verify --identity' 'agent-vault/backup/verify --backup-passphrase-file'
            return 0
        case 'agent-vault/restore --identity' 'agent-vault/restore --backup-passphrase-file'
            return 0
        case 'agent-vault/service/add --host' 'agent-vault/service/add --credential' 'agent-vault/service/add --auth' 'agent-vault/service/add --methods' 'agent-vault/service/add --path' 'agent-vault/service/add --substitute'
            return 0
        case 'agent-vault/http -H' 'agent-vault/http --header' 'agent-vault/http -d' 'agent-vault/http --data' 'agent-vault/http --upstream-ca'
            return 0
        case 'agent-vault/proxy --port' 'agent-vault/proxy --upstream-ca'
            return 0
        case 'agent-vault/hook/add --event' 'agent-vault/hook/add --url' 'agent-vault/hook/add --exec'
            return 0
        case 'agent-vault/unlock --ttl' 'agent-vault/unlock --session-dir'
            return 0
        case 'agent-vault/lock --session-dir'
            return 0
        case 'agent-vault/passwd --new-passphrase-file' 'agent-vault/passwd --kdf-memory' 'agent-vault/passwd --kdf-iterations' 'agent-vault/passwd --kdf-parallelism'
            return 0
        case 'agent-vault/rekey --token-dir'
            return 0
        case 'agent-vault/store/migrate --from' 'agent-vault/store/migrate --to'
            return 0
        case 'agent-vault/mcp --allow-reveal' 'agent-vault/mcp --upstream-ca'
            return 0
        case 'agent-vault/inject -i' 'agent-vault/inject --in-file' 'agent-vault/inject -o' 'agent-vault/inject --out-file'
            return 0
        end
        string match -q -- '*/*' $path; or return 1
        set path (string replace -r '/[^/]*$' '' -- $path)
    end
end

# The command path and the number of positional arguments before the cursor, one a line;
# fails past --, where the words are exec's command line and the shell's own.
function __agent_vault_state
    set -l words (commandline -opc)
    set -l path agent-vault
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
    printf '%s\n' $path $nargs $args
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
        set -l id (string replace -r '^.*/' '' -- $file | string replace -r '\.vault$' '')
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
    command agent-vault $call 2>/dev/null </dev/null
end

# No file names where a command, an option or an argument of ours goes.
complete -c agent-vault -n "__agent_vault_in agent-vault" -f
complete -c agent-vault -n "__agent_vault_at 'agent-vault'" -a init -d 'create the store and set the owner passphrase'
complete -c agent-vault -n "__agent_vault_at 'agent-vault'" -a provision -d 'create an agent\'s vault and print its token once'
complete -c agent-vault -n "__agent_vault_at 'agent-vault'" -a status -d 'show whether agents are provisioned, when their vaults changed, and how many credentials they hold'
complete -c agent-vault -n "__agent_vault_at 'agent-vault'" -a deprovision -d 'delete an agent\'s vault and every credential in it; its token stops working'
complete -c agent-vault -n "__agent_vault_at 'agent-vault'" -a token -d 'manage agents\' tokens'
complete -c agent-vault -n "__agent_vault_at 'agent-vault'" -a credential -d 'store, read and change credentials in a vault'
complete -c agent-vault -n "__agent_vault_at 'agent-vault'" -a totp -d 'print a credential\'s current TOTP code and nothing else (never its secret)'
complete -c agent-vault -n "__agent_vault_at 'agent-vault'" -a generate -d 'generate a strong password or passphrase; --save stores it without printing it'
complete -c agent-vault -n "__agent_vault_at 'agent-vault'" -a audit -d 'show the audit log, oldest first (the owner sees every log, an agent its own)'
complete -c agent-vault -n "__agent_vault_at 'agent-vault'" -a grant -d 'let another agent read one credential of this vault (a copy sealed to that agent\'s key)'
complete -c agent-vault -n "__agent_vault_at 'agent-vault'" -a proposal -d 'an agent asks for the credentials it needs; the owner fills in the values and approves'
complete -c agent-vault -n "__agent_vault_at 'agent-vault'" -a exec -d 'run a command with the vault\'s credentials in its environment (never on its command line)'
complete -c agent-vault -n "__agent_vault_at 'agent-vault'" -a import -d 'import another manager\'s export into a vault, in one atomic write (all or nothing)'
complete -c agent-vault -n "__agent_vault_at 'agent-vault'" -a export -d 'print every credential of a vault, secrets included, to stdout (owner only; asks first)'
complete -c agent-vault -n "__agent_vault_at 'agent-vault'" -a backup -d 'write the whole store, age-encrypted, to a new 0600 file (owner only)'
complete -c agent-vault -n "__agent_vault_at 'agent-vault'" -a restore -d 'fill a new, empty store (--store DIR) from a backup; the same owner passphrase and tokens then work'
complete -c agent-vault -n "__agent_vault_at 'agent-vault'" -a service -d 'services: how the broker attaches a credential to an agent\'s requests to some hosts (owner only)'
complete -c agent-vault -n "__agent_vault_at 'agent-vault'" -a http -d 'one request through the broker: the service\'s credential is attached, the response scrubbed of it; the agent never sees the value'
complete -c agent-vault -n "__agent_vault_at 'agent-vault'" -a proxy -d 'run the broker in the foreground for a program started elsewhere, printing the environment it needs as export lines'
complete -c agent-vault -n "__agent_vault_at 'agent-vault'" -a hook -d 'notify a URL or a command of audit events (owner only): proposals, due and rotated credentials, denials'
complete -c agent-vault -n "__agent_vault_at 'agent-vault'" -a unlock -d 'prove the passphrase once and print an owner session string (AGENT_VAULT_SESSION) for the commands that follow'
complete -c agent-vault -n "__agent_vault_at 'agent-vault'" -a lock -d 'end every owner session of the store at once (needs no passphrase)'
complete -c agent-vault -n "__agent_vault_at 'agent-vault'" -a passwd -d 'change the owner passphrase; tokens, grants and logs are untouched, and every owner session ends'
complete -c agent-vault -n "__agent_vault_at 'agent-vault'" -a rekey -d 'replace the owner\'s root key (owner slots, key certificates, the store log\'s key); --tokens also replaces every agent\'s token'
complete -c agent-vault -n "__agent_vault_at 'agent-vault'" -a store -d 'the store as a whole: move it to another backend'
complete -c agent-vault -n "__agent_vault_at 'agent-vault'" -a mcp -d 'serve the vault as MCP tools over stdio for an AI agent (the agent of AGENT_VAULT_TOKEN in the client\'s env); values stay out of the model\'s context'
complete -c agent-vault -n "__agent_vault_at 'agent-vault'" -a config -d 'non-secret preferences: default-agent, default-store'
complete -c agent-vault -n "__agent_vault_at 'agent-vault'" -a read -d 'print the one value an av://<agent>/<KEY>[/<field>] reference names, and nothing else'
complete -c agent-vault -n "__agent_vault_at 'agent-vault'" -a inject -d 'render a template: replace each {{ av://<agent>/<KEY>[/<field>] }} with its value (all of them, or nothing is written)'
complete -c agent-vault -n "__agent_vault_at 'agent-vault'" -a completion -d 'print a shell completion script (the same scripts live in completions/)'
complete -c agent-vault -n "__agent_vault_at 'agent-vault'" -a help -d 'show help for a command, or a topic: exit-codes, environment'
complete -c agent-vault -n "__agent_vault_in 'agent-vault'" -l version -d 'print the version'
complete -c agent-vault -n "__agent_vault_in 'agent-vault'" -l store -x -a '(__fish_complete_directories (commandline -ct))' -d 'the store: a directory or a postgres:// URL (default: $AGENT_VAULT_HOME, else the configured default-store, else $XDG_DATA_HOME/agent-vault)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault'" -s a -l agent -x -a '(__agent_vault_agents)' -d 'the agent whose vault is meant (default: $AGENT_VAULT_AGENT, the token\'s agent, or the configured default)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault'" -l json -d 'machine-readable output on stdout'
complete -c agent-vault -n "__agent_vault_in 'agent-vault'" -l no-color -d 'no colour (also: NO_COLOR)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault'" -s q -l quiet -d 'no messages on stderr, only data and errors'
complete -c agent-vault -n "__agent_vault_in 'agent-vault'" -s y -l yes -d 'do not ask for confirmation (required off a terminal for destructive commands)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault'" -l passphrase-file -r -F -d 'read the owner passphrase from a file (also: AGENT_VAULT_PASSPHRASE_FILE)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault'" -l passphrase-stdin -d 'read the owner passphrase from stdin'
complete -c agent-vault -n "__agent_vault_in 'agent-vault'" -l token-file -r -F -d 'read the agent token from a file (also: AGENT_VAULT_TOKEN_FILE, or AGENT_VAULT_TOKEN); provision and token rotate write the new token to it'
complete -c agent-vault -n "__agent_vault_in 'agent-vault'" -s h -l help -d 'show help'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/init'" -l kdf-memory -x -d 'Argon2id memory in MiB'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/init'" -l kdf-iterations -x -d 'Argon2id passes'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/init'" -l kdf-parallelism -x -d 'Argon2id lanes'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/init'" -s h -l help -d 'show help'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/provision'" -s h -l help -d 'show help'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/status'" -s h -l help -d 'show help'
complete -c agent-vault -n "__agent_vault_arg 'agent-vault/status' 0 0" -a '(__agent_vault_agents)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/deprovision'" -s h -l help -d 'show help'
complete -c agent-vault -n "__agent_vault_arg 'agent-vault/deprovision' 0 0" -a '(__agent_vault_agents)'
complete -c agent-vault -n "__agent_vault_at 'agent-vault/token'" -a rotate -d 'issue a new token for an agent; the old one stops working at once'
complete -c agent-vault -n "__agent_vault_at 'agent-vault/token'" -a help -d 'display help for command'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/token'" -s h -l help -d 'show help'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/token/rotate'" -s h -l help -d 'show help'
complete -c agent-vault -n "__agent_vault_arg 'agent-vault/token/rotate' 0 0" -a '(__agent_vault_agents)'
complete -c agent-vault -n "__agent_vault_at 'agent-vault/credential'" -a set -d 'add or overwrite simple secrets (type api_key), or the main secret of an existing credential'
complete -c agent-vault -n "__agent_vault_at 'agent-vault/credential'" -a add -d 'add a typed credential: login, secure_note, card, identity or api_key'
complete -c agent-vault -n "__agent_vault_at 'agent-vault/credential'" -a get -d 'print the main secret of a credential (or one field), and nothing else; a key the vault lacks is read from the one live grant of it'
complete -c agent-vault -n "__agent_vault_at 'agent-vault/credential'" -a list -d 'list credentials: keys, names, types and update times, values masked'
complete -c agent-vault -n "__agent_vault_at 'agent-vault/credential'" -a search -d 'find credentials by key, name, username, URI or tag (never by value); the owner without --agent searches every vault'
complete -c agent-vault -n "__agent_vault_at 'agent-vault/credential'" -a update -d 'change fields of a credential, keeping its id and creation time'
complete -c agent-vault -n "__agent_vault_at 'agent-vault/credential'" -a edit -d 'change a credential as a document in $VISUAL or $EDITOR (vi): every field, multi-line notes, the key, name, tags and URIs'
complete -c agent-vault -n "__agent_vault_at 'agent-vault/credential'" -a delete -d 'delete a credential (and every grant of it)'
complete -c agent-vault -n "__agent_vault_at 'agent-vault/credential'" -a copy -d 'copy a credential whole (every field, the TOTP secret, notes, URIs, tags, policies) under a new key, in the same vault or (owner) another'
complete -c agent-vault -n "__agent_vault_at 'agent-vault/credential'" -a history -d 'list the versions of a credential\'s secret fields, newest first (values masked)'
complete -c agent-vault -n "__agent_vault_at 'agent-vault/credential'" -a restore -d 'make an earlier version current again (as a new version; the history is kept)'
complete -c agent-vault -n "__agent_vault_at 'agent-vault/credential'" -a due -d 'list credentials whose rotation is due or whose expiry is past (or within --within), in every vault the caller may open'
complete -c agent-vault -n "__agent_vault_at 'agent-vault/credential'" -a rotate -d 'replace the main secret with a generated one (or --value-stdin); with -- CMD, CMD applies it first and it is kept only if CMD exits 0'
complete -c agent-vault -n "__agent_vault_at 'agent-vault/credential'" -a help -d 'display help for command'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential'" -s h -l help -d 'show help'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/set'" -l allow-empty -d 'store an empty value read from stdin or typed at the prompt (refused otherwise)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/set'" -s h -l help -d 'show help'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/add'" -s t -l type -x -a 'login secure_note card identity api_key' -d 'credential type (default: api_key)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/add'" -l reveal-policy -x -a 'any brokered' -d 'brokered: an agent\'s token uses it only through the broker (service, http, exec --broker), never as a value'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/add'" -l name -x -d 'display name'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/add'" -l tag -x -d 'a tag (repeatable; replaces the tags on update)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/add'" -l uri -x -d 'a login URI (repeatable; replaces the URIs on update)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/add'" -l username -x -d 'username'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/add'" -l cardholder -x -d 'cardholder'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/add'" -l expiry -x -d 'expiry'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/add'" -l full-name -x -d 'full name'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/add'" -l email -x -d 'email'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/add'" -l phone -x -d 'phone'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/add'" -l address -x -d 'address'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/add'" -l password-stdin -d 'read the password from stdin'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/add'" -l password-file -r -F -d 'read the password from a file'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/add'" -l totp-stdin -d 'read the totp from stdin'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/add'" -l totp-file -r -F -d 'read the totp from a file'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/add'" -l notes-stdin -d 'read the notes from stdin'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/add'" -l notes-file -r -F -d 'read the notes from a file'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/add'" -l number-stdin -d 'read the number from stdin'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/add'" -l number-file -r -F -d 'read the number from a file'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/add'" -l cvv-stdin -d 'read the cvv from stdin'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/add'" -l cvv-file -r -F -d 'read the cvv from a file'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/add'" -l value-stdin -d 'read the value from stdin'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/add'" -l value-file -r -F -d 'read the value from a file'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/add'" -l totp -x -d 'TOTP secret (an otpauth:// URI or a base32 key) on the command line, where other processes see it: prefer --totp-stdin or --totp-file'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/add'" -l json-stdin -d 'read the whole credential as one JSON object from stdin'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/add'" -l allow-empty -d 'accept an empty secret from stdin, a file or the prompt (refused otherwise; on update an empty value removes the field)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/add'" -l rotate-every -x -d 'the main secret is due for rotation this long after it last changed (30d, 12w; never removes it)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/add'" -l expires -x -d 'when the credential expires: a date (2026-12-31) or a duration from now (90d); never removes it'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/add'" -s h -l help -d 'show help'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/get'" -s f -l field -x -a '(__agent_vault_vault_words fields)' -d 'print this field instead (username, password, number, cvv, notes, …)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/get'" -s n -l no-newline -d 'no trailing newline'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/get'" -l reveal -d 'include the TOTP secret (with --json or --field totp)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/get'" -s c -l clip -d 'copy the value to the clipboard instead of printing it, cleared after 45 s if still there'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/get'" -l clip-timeout -x -d 'with --clip: clear after this long (45s, 2m; 0: never)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/get'" -s h -l help -d 'show help'
complete -c agent-vault -n "__agent_vault_arg 'agent-vault/credential/get' 0 0" -a '(__agent_vault_vault_words keys)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/list'" -l reveal -d 'show the main secret values'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/list'" -s t -l type -x -a 'login secure_note card identity api_key' -d 'only this type'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/list'" -s h -l help -d 'show help'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/search'" -l reveal -d 'show the main secret values'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/search'" -s t -l type -x -a 'login secure_note card identity api_key' -d 'only this type'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/search'" -s h -l help -d 'show help'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/update'" -l rename -x -d 'give it a new key'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/update'" -l reveal-policy -x -a 'any brokered' -d 'brokered: an agent\'s token uses it only through the broker; any: as before'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/update'" -l name -x -d 'display name'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/update'" -l tag -x -d 'a tag (repeatable; replaces the tags on update)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/update'" -l uri -x -d 'a login URI (repeatable; replaces the URIs on update)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/update'" -l username -x -d 'username'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/update'" -l cardholder -x -d 'cardholder'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/update'" -l expiry -x -d 'expiry'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/update'" -l full-name -x -d 'full name'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/update'" -l email -x -d 'email'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/update'" -l phone -x -d 'phone'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/update'" -l address -x -d 'address'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/update'" -l password-stdin -d 'read the password from stdin'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/update'" -l password-file -r -F -d 'read the password from a file'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/update'" -l totp-stdin -d 'read the totp from stdin'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/update'" -l totp-file -r -F -d 'read the totp from a file'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/update'" -l notes-stdin -d 'read the notes from stdin'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/update'" -l notes-file -r -F -d 'read the notes from a file'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/update'" -l number-stdin -d 'read the number from stdin'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/update'" -l number-file -r -F -d 'read the number from a file'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/update'" -l cvv-stdin -d 'read the cvv from stdin'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/update'" -l cvv-file -r -F -d 'read the cvv from a file'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/update'" -l value-stdin -d 'read the value from stdin'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/update'" -l value-file -r -F -d 'read the value from a file'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/update'" -l totp -x -d 'TOTP secret (an otpauth:// URI or a base32 key) on the command line, where other processes see it: prefer --totp-stdin or --totp-file'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/update'" -l json-stdin -d 'read the whole credential as one JSON object from stdin'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/update'" -l allow-empty -d 'accept an empty secret from stdin, a file or the prompt (refused otherwise; on update an empty value removes the field)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/update'" -l rotate-every -x -d 'the main secret is due for rotation this long after it last changed (30d, 12w; never removes it)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/update'" -l expires -x -d 'when the credential expires: a date (2026-12-31) or a duration from now (90d); never removes it'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/update'" -s h -l help -d 'show help'
complete -c agent-vault -n "__agent_vault_arg 'agent-vault/credential/update' 0 0" -a '(__agent_vault_vault_words keys)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/edit'" -s h -l help -d 'show help'
complete -c agent-vault -n "__agent_vault_arg 'agent-vault/credential/edit' 0 0" -a '(__agent_vault_vault_words keys)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/delete'" -s h -l help -d 'show help'
complete -c agent-vault -n "__agent_vault_arg 'agent-vault/credential/delete' 0 0" -a '(__agent_vault_vault_words keys)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/copy'" -l to-agent -x -d 'put the copy in this agent\'s vault (owner only)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/copy'" -l force -d 'overwrite a credential NEW that exists (its history keeps the old values)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/copy'" -s h -l help -d 'show help'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/history'" -l reveal -d 'show the values of each version'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/history'" -s h -l help -d 'show help'
complete -c agent-vault -n "__agent_vault_arg 'agent-vault/credential/history' 0 0" -a '(__agent_vault_vault_words keys)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/restore'" -s h -l help -d 'show help'
complete -c agent-vault -n "__agent_vault_arg 'agent-vault/credential/restore' 0 0" -a '(__agent_vault_vault_words keys)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/due'" -l within -x -d 'also what falls due within this time (7d)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/due'" -l notify -d 'record a credential.due event for each, for the hooks (agent-vault hook run)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/due'" -s h -l help -d 'show help'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/rotate'" -l value-stdin -d 'read the new value from stdin instead of generating one'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/rotate'" -s l -l length -x -d 'password length, 4 to 1024 (default: the remembered one, else 24)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/rotate'" -l no-upper -d 'no upper-case letters'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/rotate'" -l no-lower -d 'no lower-case letters'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/rotate'" -l no-digits -d 'no digits'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/rotate'" -l no-symbols -d 'no symbols'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/rotate'" -l exclude-ambiguous -d 'leave out look-alike characters (I l 1 | O 0 o)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/rotate'" -l passphrase -d 'a passphrase of 6 words from the EFF large word list instead of a password'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/rotate'" -l words -x -d 'a passphrase of this many words, 3 to 64'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/rotate'" -l separator -x -d 'between passphrase words (default: -)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/rotate'" -l capitalize -d 'capitalise each passphrase word'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/rotate'" -l number -d 'append a random digit to one passphrase word'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/credential/rotate'" -s h -l help -d 'show help'
complete -c agent-vault -n "__agent_vault_arg 'agent-vault/credential/rotate' 0 0" -a '(__agent_vault_vault_words keys)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/totp'" -l fresh -x -d 'if fewer seconds than this are left in the window, wait for the next code'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/totp'" -s c -l clip -d 'copy the code to the clipboard instead of printing it, cleared after 45 s if still there'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/totp'" -l clip-timeout -x -d 'with --clip: clear after this long (45s, 2m; 0: never)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/totp'" -l qr -d 'print the otpauth:// key URI as a QR code instead, to enrol a phone (needs --reveal: it is the secret)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/totp'" -l reveal -d 'with --qr: show the secret'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/totp'" -s h -l help -d 'show help'
complete -c agent-vault -n "__agent_vault_arg 'agent-vault/totp' 0 0" -a '(__agent_vault_vault_words keys)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/generate'" -s l -l length -x -d 'password length, 4 to 1024 (default: 24)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/generate'" -l no-upper -d 'no upper-case letters'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/generate'" -l no-lower -d 'no lower-case letters'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/generate'" -l no-digits -d 'no digits'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/generate'" -l no-symbols -d 'no symbols'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/generate'" -l exclude-ambiguous -d 'leave out look-alike characters (I l 1 | O 0 o)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/generate'" -l passphrase -d 'a passphrase of 6 words from the EFF large word list instead of a password'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/generate'" -l words -x -d 'a passphrase of this many words, 3 to 64'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/generate'" -l separator -x -d 'between passphrase words (default: -)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/generate'" -l capitalize -d 'capitalise each passphrase word'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/generate'" -l number -d 'append a random digit to one passphrase word'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/generate'" -l save -x -d 'store the value in the vault (as an api_key, or the --field of an existing credential) instead of printing it'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/generate'" -l field -x -a 'password notes number cvv value' -d 'with --save: the field to store it in, e.g. password'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/generate'" -s h -l help -d 'show help'
complete -c agent-vault -n "__agent_vault_at 'agent-vault/audit'" -a verify -d 'check that no line of any log was edited, removed, inserted, reordered or cut off the end (exit 6 if one was)'
complete -c agent-vault -n "__agent_vault_at 'agent-vault/audit'" -a report -d 'per agent: reads, reveals, writes, TOTP codes, exec runs, denials, first and last access (--since, --action, --key filter the events counted)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/audit'" -l action -x -d 'only actions starting with this (credential, credential.get, auth.denied, …)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/audit'" -l key -x -d 'only events about this credential key'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/audit'" -l since -x -d 'only events since a duration ago (30m, 1h, 7d) or an ISO date (2025-01-31)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/audit'" -l limit -x -d 'only the newest N events (still printed oldest first)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/audit'" -s f -l follow -d 'keep printing new events as they are appended, until interrupted (JSON lines with --json); without --since or --limit only new ones'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/audit'" -s h -l help -d 'show help'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/audit/verify'" -s h -l help -d 'show help'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/audit/report'" -s h -l help -d 'show help'
complete -c agent-vault -n "__agent_vault_at 'agent-vault/grant'" -a list -d 'list live grants: the owner sees all (or those of --agent), an agent those it gave and received'
complete -c agent-vault -n "__agent_vault_at 'agent-vault/grant'" -a revoke -d 'end a grant: the sealed copy is deleted at once'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/grant'" -l to -x -a '(__agent_vault_agents)' -d 'the agent that may read it (required)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/grant'" -l expires -x -d 'end the grant after this long: a number and s, m, h, d or w (e.g. 7d)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/grant'" -s h -l help -d 'show help'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/grant/list'" -s h -l help -d 'show help'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/grant/revoke'" -l to -x -a '(__agent_vault_agents)' -d 'the agent it was granted to (required)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/grant/revoke'" -s h -l help -d 'show help'
complete -c agent-vault -n "__agent_vault_arg 'agent-vault/grant/revoke' 0 0" -a '(__agent_vault_vault_words keys)'
complete -c agent-vault -n "__agent_vault_at 'agent-vault/proposal'" -a create -d 'ask the owner for credentials: prints the proposal id alone on stdout'
complete -c agent-vault -n "__agent_vault_at 'agent-vault/proposal'" -a list -d 'list proposals, oldest first: the owner sees every agent\'s (or those of --agent), an agent its own'
complete -c agent-vault -n "__agent_vault_at 'agent-vault/proposal'" -a show -d 'a proposal\'s slots, message, status and any rejection reason (values never, unless the owner adds --reveal)'
complete -c agent-vault -n "__agent_vault_at 'agent-vault/proposal'" -a approve -d 'owner only: fill in every empty slot (asked for on a terminal, or --json-stdin) and apply the whole proposal in one write'
complete -c agent-vault -n "__agent_vault_at 'agent-vault/proposal'" -a reject -d 'owner only: close a proposal without applying it'
complete -c agent-vault -n "__agent_vault_at 'agent-vault/proposal'" -a wait -d 'block until the proposal is decided: exit 0 applied, 5 rejected or expired, 7 still pending at the timeout'
complete -c agent-vault -n "__agent_vault_at 'agent-vault/proposal'" -a help -d 'display help for command'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/proposal'" -s h -l help -d 'show help'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/proposal/create'" -l credential -x -d 'a credential for the owner to fill in (repeatable)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/proposal/create'" -l delete -x -d 'a credential to delete (repeatable)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/proposal/create'" -l obtain -x -d 'where the owner obtains the value of the slot before it (http or https)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/proposal/create'" -l instructions -x -d 'how to obtain the value of the slot before it'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/proposal/create'" -s m -l message -x -d 'why the agent needs it (at most 2000 characters)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/proposal/create'" -l json-stdin -d 'read the proposal as JSON from stdin: the only way to include a value the agent generated itself'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/proposal/create'" -l ttl -x -d 'expire after this long (default 7d, at most 30d)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/proposal/create'" -l wait -x -d 'then wait for the decision, as proposal wait does (up to the duration, if given)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/proposal/create'" -s h -l help -d 'show help'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/proposal/list'" -l status -x -a 'pending applied rejected expired' -d 'only proposals of this status'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/proposal/list'" -s h -l help -d 'show help'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/proposal/show'" -l reveal -d 'owner only: show the values the agent gave'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/proposal/show'" -s h -l help -d 'show help'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/proposal/approve'" -l json-stdin -d 'read the values as one JSON object {"KEY": "value", …} from stdin (needs --yes)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/proposal/approve'" -s h -l help -d 'show help'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/proposal/reject'" -l reason -x -d 'why, for the agent to read'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/proposal/reject'" -s h -l help -d 'show help'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/proposal/wait'" -l timeout -x -d 'give up after this long, with exit 7 (default: wait until decided or expired)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/proposal/wait'" -s h -l help -d 'show help'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/exec'" -l only -x -d 'only these credentials (comma-separated keys)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/exec'" -l prefix -x -d 'put this before every variable name'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/exec'" -l pristine -d 'start from an empty environment apart from PATH and HOME'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/exec'" -l mask -d 'replace every injected value in the command\'s output with ****'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/exec'" -l env-file -r -F -d 'a dotenv file: plain NAME=value lines (quotes, export, comments) and references NAME=av://<agent>/<KEY>[/<field>]'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/exec'" -l allow-env -x -d 'let the caller\'s own credentials set this protected variable (PATH, LD_PRELOAD, …); repeatable'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/exec'" -l broker -d 'run the broker for the command\'s lifetime: placeholders instead of the services\' values, a local proxy (HTTPS_PROXY) and AGENT_VAULT_URL_<SERVICE> base URLs'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/exec'" -l deny-unmatched -d 'with --broker: refuse (403) requests to hosts no service covers, instead of passing them through'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/exec'" -l upstream-ca -r -F -d 'with --broker: also trust this PEM CA for upstreams (a private CA)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/exec'" -s h -l help -d 'show help'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/import'" -l on-conflict -x -a 'skip overwrite rename' -d 'for a key the vault already has: skip it, overwrite it, or rename the imported one KEY_2 (default: refuse and name the clashes)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/import'" -l dry-run -d 'print the plan (key, type, action, source entry) and write nothing'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/import'" -l kdbx-password-file -r -F -d 'kdbx: read the database password from a file (else it is asked for, masked)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/import'" -s h -l help -d 'show help'
complete -c agent-vault -n "__agent_vault_arg 'agent-vault/import' 0 0" -a 'dotenv json bitwarden-json keepassxc-csv kdbx 1password-csv otpauth pass'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/export'" -l format -x -a 'json dotenv' -d 'json: everything, TOTP secrets included, for import json; dotenv: the variables exec would set'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/export'" -s h -l help -d 'show help'
complete -c agent-vault -n "__agent_vault_at 'agent-vault/backup'" -a verify -d 'decrypt a backup and check it end to end (archive, store and vault files, audit chains) without restoring'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/backup'" -l recipient -x -d 'encrypt to this age X25519 recipient (repeatable) instead of a backup passphrase'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/backup'" -l backup-passphrase-file -r -F -d 'read the backup passphrase from a file (else asked twice on a terminal)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/backup'" -s h -l help -d 'show help'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/backup/verify'" -l identity -r -F -d 'a file with the AGE-SECRET-KEY-1… identity of a recipient backup'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/backup/verify'" -l backup-passphrase-file -r -F -d 'read the backup passphrase from a file (else asked on a terminal)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/backup/verify'" -s h -l help -d 'show help'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/restore'" -l identity -r -F -d 'a file with the AGE-SECRET-KEY-1… identity of a recipient backup'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/restore'" -l backup-passphrase-file -r -F -d 'read the backup passphrase from a file (else asked on a terminal)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/restore'" -s h -l help -d 'show help'
complete -c agent-vault -n "__agent_vault_at 'agent-vault/service'" -a add -d 'add (or replace) a service in the vault of --agent'
complete -c agent-vault -n "__agent_vault_at 'agent-vault/service'" -a list -d 'list the services of a vault (the owner, or the agent itself)'
complete -c agent-vault -n "__agent_vault_at 'agent-vault/service'" -a remove -d 'remove a service from the vault of --agent'
complete -c agent-vault -n "__agent_vault_at 'agent-vault/service'" -a help -d 'display help for command'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/service'" -s h -l help -d 'show help'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/service/add'" -l host -x -d 'a host the service covers: api.example.com, *.example.com (one label) or host:port (repeatable; required)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/service/add'" -l credential -x -d 'the credential whose value is attached (its main secret, or one field) (required)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/service/add'" -l auth -x -d 'bearer, basic, header:NAME[:PREFIX] or query:NAME (required)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/service/add'" -l methods -x -d 'only these methods, comma-separated (default: every method); others are refused with 403'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/service/add'" -l path -x -d 'only paths matching this glob get the credential: * within a segment, ** across (repeatable; default: every path)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/service/add'" -l substitute -x -d 'also replace the placeholder {{av:NAME}} in header, query and/or body (comma-separated; default: nowhere)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/service/add'" -l allow-private -d 'let the host resolve to a loopback, private or link-local address'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/service/add'" -s h -l help -d 'show help'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/service/list'" -s h -l help -d 'show help'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/service/remove'" -s h -l help -d 'show help'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/http'" -s H -l header -x -d 'a request header, \'Name: value\' (repeatable)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/http'" -s d -l data -x -d 'the request body: @FILE, - for stdin, or the text itself'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/http'" -s i -l include -d 'print the status line and response headers before the body'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/http'" -s L -l location -d 'follow redirects (a redirect to another origin gets no credential)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/http'" -l upstream-ca -r -F -d 'also trust this PEM CA for the upstream (a private CA)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/http'" -s h -l help -d 'show help'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/proxy'" -l port -x -d 'listen on this port of 127.0.0.1 (default: a free one)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/proxy'" -l deny-unmatched -d 'refuse (403) requests to hosts no service covers, instead of passing them through'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/proxy'" -l upstream-ca -r -F -d 'also trust this PEM CA for upstreams (a private CA)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/proxy'" -s h -l help -d 'show help'
complete -c agent-vault -n "__agent_vault_at 'agent-vault/hook'" -a add -d 'register a hook; prints its signing secret once'
complete -c agent-vault -n "__agent_vault_at 'agent-vault/hook'" -a list -d 'list the hooks (never their secrets)'
complete -c agent-vault -n "__agent_vault_at 'agent-vault/hook'" -a remove -d 'remove a hook'
complete -c agent-vault -n "__agent_vault_at 'agent-vault/hook'" -a test -d 'send a hook.test event to one hook now (retried with backoff); exit 1 if it is not acknowledged'
complete -c agent-vault -n "__agent_vault_at 'agent-vault/hook'" -a run -d 'deliver the events since the last run to every hook (at least once, never twice once acknowledged); exit 1 if one could not be delivered'
complete -c agent-vault -n "__agent_vault_at 'agent-vault/hook'" -a help -d 'display help for command'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/hook'" -s h -l help -d 'show help'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/hook/add'" -l event -x -d 'comma-separated: proposal.created, proposal.approved, proposal.rejected, credential.due, credential.rotated, access.denied, auth.denied'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/hook/add'" -l url -x -d 'POST each event as JSON to this http(s) URL, signed in X-Agent-Vault-Signature'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/hook/add'" -l exec -x -d 'run this command line with /bin/sh -c, the event JSON on its stdin'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/hook/add'" -s h -l help -d 'show help'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/hook/list'" -s h -l help -d 'show help'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/hook/remove'" -s h -l help -d 'show help'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/hook/test'" -s h -l help -d 'show help'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/hook/run'" -l follow -d 'keep delivering, within 2 s of each event, until interrupted'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/hook/run'" -s h -l help -d 'show help'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/unlock'" -l ttl -x -d 'how long the session lasts, at most 24h'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/unlock'" -l sh -d 'print `export AGENT_VAULT_SESSION=…` for eval'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/unlock'" -l session-dir -x -a '(__fish_complete_directories (commandline -ct))' -d 'keep the session file in this private directory (default: $AGENT_VAULT_SESSION_DIR, else $XDG_RUNTIME_DIR/agent-vault)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/unlock'" -s h -l help -d 'show help'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/lock'" -l session-dir -x -a '(__fish_complete_directories (commandline -ct))' -d 'the directory the sessions were opened with (default: $AGENT_VAULT_SESSION_DIR, else $XDG_RUNTIME_DIR/agent-vault)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/lock'" -s h -l help -d 'show help'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/passwd'" -l new-passphrase-file -r -F -d 'read the new passphrase from a file'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/passwd'" -l new-passphrase-stdin -d 'read the new passphrase from stdin'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/passwd'" -l force -d 'accept a new passphrase the strength check rates weak'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/passwd'" -l kdf-memory -x -d 'Argon2id memory in MiB for the new passphrase (default: as now)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/passwd'" -l kdf-iterations -x -d 'Argon2id passes (default: as now)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/passwd'" -l kdf-parallelism -x -d 'Argon2id lanes (default: as now)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/passwd'" -s h -l help -d 'show help'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/rekey'" -l tokens -d 'also replace every agent\'s vault key and token, as token rotate does, the grants between agents sealed again'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/rekey'" -l token-dir -x -a '(__fish_complete_directories (commandline -ct))' -d 'with --tokens: write each new token to <dir>/<agent>.token (0600, created new)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/rekey'" -s h -l help -d 'show help'
complete -c agent-vault -n "__agent_vault_at 'agent-vault/store'" -a migrate -d 'copy a whole store into a new, empty one on any backend (directory or postgres://…), then verify the copy; tokens and the passphrase keep working (owner only)'
complete -c agent-vault -n "__agent_vault_at 'agent-vault/store'" -a help -d 'display help for command'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/store'" -s h -l help -d 'show help'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/store/migrate'" -l from -x -a '(__agent_vault_agents)' -d 'the store to copy: a directory or a postgres:// URL'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/store/migrate'" -l to -x -a '(__agent_vault_agents)' -d 'the new, empty store: a directory or a postgres:// URL'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/store/migrate'" -s h -l help -d 'show help'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/mcp'" -l allow-reveal -x -d 'offer credential_get for these keys only (never a brokered one); without it no tool returns a stored value'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/mcp'" -l read-only -d 'hide every tool that writes to the vault (credential_request, password_generate save_as); http_request only GET, HEAD, OPTIONS'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/mcp'" -l upstream-ca -r -F -d 'also trust this PEM CA for http_request\'s upstream (a private CA)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/mcp'" -s h -l help -d 'show help'
complete -c agent-vault -n "__agent_vault_at 'agent-vault/config'" -a get -d 'print one setting, or all'
complete -c agent-vault -n "__agent_vault_at 'agent-vault/config'" -a list -d 'print every setting (as `config get` with no name)'
complete -c agent-vault -n "__agent_vault_at 'agent-vault/config'" -a set -d 'change a setting'
complete -c agent-vault -n "__agent_vault_at 'agent-vault/config'" -a unset -d 'remove a setting'
complete -c agent-vault -n "__agent_vault_at 'agent-vault/config'" -a help -d 'display help for command'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/config'" -s h -l help -d 'show help'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/config/get'" -s h -l help -d 'show help'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/config/list'" -s h -l help -d 'show help'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/config/set'" -s h -l help -d 'show help'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/config/unset'" -s h -l help -d 'show help'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/read'" -s n -l no-newline -d 'no trailing newline'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/read'" -l reveal -d 'allow a reference to the TOTP secret (…/totp)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/read'" -s h -l help -d 'show help'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/inject'" -s i -l in-file -r -F -d 'the template (default: stdin)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/inject'" -s o -l out-file -r -F -d 'write the result to this new file, 0600 (default: stdout)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/inject'" -l force -d 'with -o: replace the file if it exists'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/inject'" -l reveal -d 'allow references to TOTP secrets (…/totp)'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/inject'" -s h -l help -d 'show help'
complete -c agent-vault -n "__agent_vault_in 'agent-vault/completion'" -s h -l help -d 'show help'
complete -c agent-vault -n "__agent_vault_arg 'agent-vault/completion' 0 0" -a 'bash zsh fish'
complete -c agent-vault -n "__agent_vault_arg 'agent-vault/help' 0 1" -a 'exit-codes environment init provision status deprovision token credential totp generate audit grant proposal exec import export backup restore service http proxy hook unlock lock passwd rekey store mcp config read inject completion'
