"""The evaluation reports: their content, tables and charts, and the renderers to HTML, PDF and
Word, plus the index page of the outputs."""
