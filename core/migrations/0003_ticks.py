from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_idempotency_body_bytes"),
    ]

    operations = [
        migrations.CreateModel(
            name="TickState",
            fields=[
                ("name", models.CharField(max_length=100, primary_key=True, serialize=False)),
                ("last_tick", models.DateTimeField()),
                ("last_run", models.DateTimeField()),
            ],
        ),
    ]
