"""Everything the user sees is made here: texts from templates/, and charts."""
