#!/bin/sh
# Work in progress (issue 13).
set -eu
exit 1
