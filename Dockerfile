# The simulator as a container: `docker build -t lgsp-simulator .`, then `docker compose up`
# (docker-compose.yml) or `docker run -p 8080:8080 -p 8081:8081 lgsp-simulator` (everything on the
# embedded transport). Any lgsp command runs as the container's command: `… lgsp-simulator check <system>`.

# The build: the sources compiled to dist/ (npm ci runs `prepare`, the build), then only what runs kept.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY cli ./cli
COPY gateway ./gateway
COPY adapters ./adapters
COPY mocks ./mocks
COPY checker ./checker
COPY testing ./testing
COPY index.ts ./
RUN npm ci --no-audit --no-fund && npm prune --omit=dev && npm cache clean --force

# What runs: the compiled command line and the files the package ships.
FROM node:20-bookworm-slim
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY contracts ./contracts
COPY plans ./plans
COPY bridges ./bridges
COPY gateway/operator/dashboard ./gateway/operator/dashboard
# The state directory (keys, ledger, journal, check reports) is a volume.
ENV LGSP_HOME=/data
VOLUME ["/data"]
EXPOSE 8080 8081
HEALTHCHECK --interval=5s --timeout=3s --start-period=30s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8081/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "bin/lgsp.mjs"]
CMD ["up", "--host", "0.0.0.0"]
