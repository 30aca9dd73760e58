# syntax=docker/dockerfile:1.7
#
# The Trellis controller image. Build from the workspace root with BuildKit:
#   docker buildx build -t trellis:0.1.0 .
# The cache mounts below keep the cargo registry and the target directory
# between builds, so a source change rebuilds only the workspace crates.

FROM rust:1.95-bookworm AS builder
WORKDIR /src

# rust-toolchain.toml pins the toolchain and lists the wasm32-wasip2 target:
# host/build.rs compiles the default plugin for it with a nested cargo build
# and embeds the component in the binary.
COPY rust-toolchain.toml ./
RUN rustup toolchain install \
 && rustup target add wasm32-wasip2 \
 && rustc --version

COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry,sharing=locked \
    --mount=type=cache,target=/usr/local/cargo/git,sharing=locked \
    --mount=type=cache,target=/src/target,sharing=locked \
    cargo build --release --locked -p trellis \
 && objcopy --only-keep-debug target/release/trellis /usr/local/bin/trellis.debug \
 && objcopy --strip-debug --add-gnu-debuglink=/usr/local/bin/trellis.debug \
      target/release/trellis /usr/local/bin/trellis

# The release profile keeps line tables for backtraces; the image ships the
# binary without them (symbols stay, so a backtrace still names functions).
# The line tables are this stage's one file, linked from the binary by
# .gnu_debuglink, for symbolizing a backtrace offline:
#   docker buildx build --target debug-symbols --output type=local,dest=out .
FROM scratch AS debug-symbols
COPY --from=builder /usr/local/bin/trellis.debug /trellis.debug

# glibc and libgcc (Debian 12, as the builder), no shell, user 65532.
FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=builder /usr/local/bin/trellis /trellis
USER 65532:65532
# 8080: /metrics; 8081: /healthz and /readyz.
EXPOSE 8080 8081
ENTRYPOINT ["/trellis"]
CMD ["run"]
