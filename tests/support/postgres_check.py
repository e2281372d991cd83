"""Exit 0 when a PostgreSQL server accepts a connection at the URL given as the first argument, 1 otherwise."""

import sys

from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError


def main() -> int:
    url = sys.argv[1]
    engine = create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError:
        return 1
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
