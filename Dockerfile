# One image for every doorstroom service; docker-compose.yml picks the service by its command.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY shared ./shared
COPY services ./services
COPY doorstroom ./doorstroom
RUN pip install --no-cache-dir .
USER nobody
