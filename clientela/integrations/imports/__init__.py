"""Import of people and organizations from CSV, XLSX and vCard files."""
