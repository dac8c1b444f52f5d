#!/usr/bin/env python3
"""Prints the README's configuration table from src/main/resources/reference.conf."""
import re
import sys

lines = open(sys.argv[1] if len(sys.argv) > 1 else 'src/main/resources/reference.conf').read().split('\n')
stack, comment, rows = [], [], []
for line in lines:
    s = line.strip()
    if s.startswith('#'):
        comment.append(s[1:].strip())
        continue
    m = re.match(r'([\w.-]+)\s*\{$', s)
    if m:
        stack.append(m.group(1))
        comment = []
        continue
    if s == '}':
        stack.pop()
        continue
    m = re.match(r'([\w.-]+)\s*=\s*(.*)$', s)
    if m:
        key = '.'.join(stack[1:] + [m.group(1)])
        value = m.group(2).replace('${spark-vae.output-root}"/prepared"', '<output-root>/prepared')
        rows.append((key, value, ' '.join(comment).replace('|', '\\|')))
    comment = []
print('| key | default | meaning |')
print('|---|---|---|')
for k, v, c in rows:
    print('| `%s` | `%s` | %s |' % (k, v, c))
