#!/usr/bin/env python
"""A minimal Wagtail site for Veneer's adapter tests: `python manage.py migrate`, `seed`."""

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cmsproject.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
