from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('monitoring', '0001_initial'),
        ('registry', '0001_initial'),
    ]

    operations = [
        migrations.AddConstraint(
            model_name='lowincomeentry',
            constraint=models.UniqueConstraint(fields=('household', 'category', 'recognized_on'),
                                               name='lowincome_once_per_recognition'),
        ),
    ]
