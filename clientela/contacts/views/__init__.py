"""The contacts web pages: the generic record pages of people and organizations
(``records``), the pickers other forms use (``pickers``), the duplicate finder
(``duplicates``) and merging (``merge``)."""
