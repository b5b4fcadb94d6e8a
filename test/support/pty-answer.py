#!/usr/bin/env python3
"""Runs a command on a pseudo-terminal and answers its questions one at a time, as a
person would: each answer is typed only once the command has asked (its output ends in
": "), so a question that turns echo off is answered with echo off.

Usage: pty-answer.py ANSWERS_JSON COMMAND [ARG...]; prints what the terminal showed and
exits with the command's status."""
import json
import os
import pty
import select
import sys

answers = json.loads(sys.argv[1])
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])

shown = b""
answered_at = 0
while True:
    ready, _, _ = select.select([fd], [], [], 60)
    if not ready:
        break
    try:
        data = os.read(fd, 4096)
    except OSError:
        break
    if not data:
        break
    shown += data
    if answers and shown.endswith(b": ") and len(shown) > answered_at:
        os.write(fd, (answers.pop(0) + "\n").encode())
        answered_at = len(shown)

_, status = os.waitpid(pid, 0)
sys.stdout.write(shown.decode(errors="replace"))
sys.exit(os.waitstatus_to_exitcode(status))
