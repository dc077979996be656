"""The report site: Vietnamese static pages built from the published file."""
