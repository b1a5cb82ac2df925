#!/bin/sh
# Local CRM store at 1,000,000 contacts: caller-ID lookup and type-ahead
# search latency (p50/p99/max). The first run builds the test database
# (several minutes) under $TMPDIR and later runs reuse it.
set -eu
exec go test -run '^$' -bench 'LookupNumber1M|Search1M' -benchtime 20000x -timeout 60m ./softphone/store/
