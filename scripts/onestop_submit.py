"""The onestop command line as a file spark-submit can run (it takes a .py file as the application):

    spark-submit --master spark://head:7077 scripts/onestop_submit.py batch REGISTRY --out RESULT --engine spark ...
"""

from onestop.cli import main

if __name__ == "__main__":
    main()
