# syntax=docker/dockerfile:1
# One image for every component: its entry point is the `streamspace` command, so the chart runs
# `controller`, `api` or `gateway` as arguments. Compiled JavaScript only (npm run build → dist/):
# production processes do not carry Node's type stripper (README, "Running in a cluster").
# test/deploy/dockerfile.test.ts replays the stages' COPY and RUN steps against a checkout.

# Stage 1: compile src/ to dist/ with the dev dependencies (TypeScript).
FROM node:24-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build.ts ./scripts/build.ts
COPY src ./src
# The web UI (web/ → web/dist with Vite), served by the API at `/`.
COPY web ./web
RUN node scripts/build.ts

# Stage 2: the production dependencies only.
FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# Stage 3: the runtime, non-root, nothing writable but what the pod mounts (/tmp).
FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
# package.json carries "type": "module", which the compiled ES modules need.
COPY package.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY --from=build /src/web/dist ./web/dist
# The built-in templates `streamspace up` installs (read next to dist/, as from a checkout).
COPY deploy/templates ./deploy/templates
USER 10001:10001
EXPOSE 8080 8081 9443
ENTRYPOINT ["node", "/app/dist/cli/main.js"]
CMD ["--help"]
