# One image for the three processes of the Procfile: web (gunicorn), worker and beat (Celery).
# Not built by CI (README, "Deployment").
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# Static files are collected (compressed, with hashed names) into the image; the settings refuse
# to load with DEBUG off and no key, hence the throw-away values of this one command.
RUN DEBUG=false SECRET_KEY=collectstatic-only ALLOWED_HOSTS=build \
    python manage.py collectstatic --noinput --verbosity 0

RUN useradd --create-home --uid 1000 egov \
    && mkdir -p /app/var/media \
    && chown -R egov:egov /app/var
USER egov

ENV DEBUG=false PORT=8000 MEDIA_ROOT=/app/var/media
EXPOSE 8000
CMD ["gunicorn", "-c", "gunicorn.conf.py"]
