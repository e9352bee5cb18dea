"""Settings live in a small package: ``base`` reads the environment, the
others (``dev``, ``production``, ``test``) only state how they differ."""
