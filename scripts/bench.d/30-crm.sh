#!/usr/bin/env bash
# CRM backlog drain through the real path: 10,000 calls (every 10th with a
# follow-up task) saved in a SQLite outbox, drained by the sync worker
# through the HubSpot client into the HubSpot fake over loopback, which
# enforces 100 requests per rolling 10 s with its own limiter and answers
# 429 as HubSpot does. Fails on a lost or duplicated call or task. About
# 4 minutes (the 10 s windows, not CPU). Knobs: PITCHLINE_BENCH_DRAIN_CALLS,
# PITCHLINE_BENCH_TASK_EVERY, PITCHLINE_BENCH_CLIENT_LIMIT (see the benchmark).
set -euo pipefail
cd "$(dirname "$0")/../.."
go test -run '^$' -bench 'BenchmarkDrainOutbox$' -benchtime 1x -timeout 30m -v ./softphone/crm/sync/
