"""Tests of the coaching core and the script library."""
