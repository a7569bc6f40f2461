from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_throttle")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="post",
            field=models.CharField(blank=True, max_length=50, verbose_name="职务"),
        ),
    ]
