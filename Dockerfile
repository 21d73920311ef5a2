# esco-init image: the one-shot initialiser (`esco-init init`, the default) and the search
# service (`esco-init serve`). Multi-stage: dev dependencies and the TypeScript compiler stay in
# the build stage; the final stage holds dist/, production node_modules, resources/ and config/.
#
# NODE_IMAGE is a build argument so that a locally built Node 24 base can stand in for the
# registry image (the compose end-to-end suite, test/e2e/images.ts, builds one).
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: no production dependency needs an install script, and none may run one.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund --update-notifier=false && npm cache clean --force

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund --update-notifier=false
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/node.sh scripts/node.sh
COPY src src
RUN npm run build && chmod 0755 dist/cli.js

FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    NON_INTERACTIVE=true
WORKDIR /app
# Everything is owned by root and read-only for the runtime user: the image carries no state.
COPY package.json ./
COPY --from=deps /app/node_modules node_modules
COPY resources resources
COPY config config
COPY --from=build /app/dist dist
RUN ln -s /app/dist/cli.js /usr/local/bin/esco-init
# The `node` user (uid 1000) comes with the official Node images.
USER node
ENTRYPOINT ["esco-init"]
CMD ["init"]
