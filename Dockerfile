# The simulator as a container: `docker build -t lgsp-simulator .`, then `docker compose up`
# (docker-compose.yml) or `docker run -p 8080:8080 -p 8081:8081 lgsp-simulator` (everything on the
# embedded transport). Any lgsp command runs as the container's command: `… lgsp-simulator check <system>`.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY bin ./bin
COPY cli ./cli
COPY gateway ./gateway
COPY adapters ./adapters
COPY mocks ./mocks
COPY checker ./checker
COPY testing ./testing
COPY contracts ./contracts
COPY plans ./plans
COPY bridges ./bridges
COPY index.ts tsconfig.json ./
# The state directory (keys, ledger, journal, check reports) is a volume.
ENV LGSP_HOME=/data
VOLUME ["/data"]
EXPOSE 8080 8081
HEALTHCHECK --interval=5s --timeout=3s --start-period=30s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8081/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "bin/lgsp.mjs"]
CMD ["up", "--host", "0.0.0.0"]
