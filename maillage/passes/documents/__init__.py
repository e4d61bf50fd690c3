"""The Pass numérique's documents: printable booklets and statements (``pdf``), files for software
(``csv_files``) and for the bank (``sepa``), from what ``content`` checks they hold."""
