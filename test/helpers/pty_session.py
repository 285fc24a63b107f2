"""Runs a command under a pseudo-terminal and answers its prompts, like expect(1).

Usage: pty_session.py SCRIPT_JSON -- command args...
SCRIPT_JSON is a list of steps: {"expect": "text"} waits until the output contains the
text (after what earlier steps matched); {"send": "text"} types it; {"sleep": seconds}.
Prints one JSON object: {"output": all output, "code": exit status, "timeout": bool}.
"""
import json, os, pty, select, signal, sys, time

steps = json.loads(sys.argv[1])
argv = sys.argv[sys.argv.index('--') + 1:]
deadline = time.time() + float(os.environ.get('PTY_TIMEOUT', '30'))

pid, fd = pty.fork()
if pid == 0:
    os.execvp(argv[0], argv)

output = b''
matched_upto = 0
timed_out = False

def read_some(wait):
    global output
    ready, _, _ = select.select([fd], [], [], wait)
    if not ready:
        return True
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        return False
    if not chunk:
        return False
    output += chunk
    return True

alive = True
for step in steps:
    if 'expect' in step:
        needle = step['expect'].encode()
        while alive and needle not in output[matched_upto:]:
            if time.time() > deadline:
                timed_out = True
                break
            alive = read_some(0.1)
        if timed_out:
            break
        if needle in output[matched_upto:]:
            matched_upto = output.index(needle, matched_upto) + len(needle)
    elif 'send' in step:
        os.write(fd, step['send'].encode())
    elif 'sleep' in step:
        time.sleep(step['sleep'])

while alive and not timed_out:
    if time.time() > deadline:
        timed_out = True
        break
    alive = read_some(0.1)

if timed_out:
    os.kill(pid, signal.SIGKILL)
_, status = os.waitpid(pid, 0)
code = os.waitstatus_to_exitcode(status)
print(json.dumps({'output': output.decode('utf-8', 'replace'), 'code': code, 'timeout': timed_out}))
