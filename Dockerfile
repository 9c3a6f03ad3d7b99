FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY config ./config
COPY accounts ./accounts
COPY filings ./filings
RUN pip install --no-cache-dir .
COPY . .
RUN useradd --create-home beian && mkdir -p /var/lib/beian && chown beian /var/lib/beian
USER beian
EXPOSE 8000
