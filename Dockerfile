# The app image used by docker-compose.yml. The client is built at image build time.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build
ENV NODE_ENV=production PORT=3000
EXPOSE 3000
# node itself is PID 1, not npm: npm does not pass SIGTERM on, so the server never drained and was SIGKILLed.
# Parley drains for SHUTDOWN_DEADLINE_SECONDS (10 s) on SIGTERM: give `docker stop -t` / a stop grace period above it.
STOPSIGNAL SIGTERM
CMD ["node", "bin/parley-server.js"]
