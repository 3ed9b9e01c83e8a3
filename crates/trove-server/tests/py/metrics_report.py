"""Report scalars, single values, plots and console lines with the unmodified ClearML SDK, then close the task.
Prints TASK_ID=<id>. The values are exact binary fractions so a second process can compare them with ==.

Usage: metrics_report.py"""
import time

import numpy as np
from clearml import Task

ITERS = 20


def main():
    task = Task.init(project_name="metrics", task_name="metrics example")
    logger = task.get_logger()
    for i in range(ITERS):
        logger.report_scalar("loss", "train", value=i * 0.5, iteration=i)
        logger.report_scalar("loss", "val", value=10.0 - i, iteration=i)
        logger.report_scalar("accuracy", "acc", value=i / 4, iteration=i)
    # The same scalar again at the same iteration replaces the first report.
    logger.report_scalar("accuracy", "acc", value=100.0, iteration=ITERS - 1)
    logger.report_single_value("best", 0.75)
    logger.report_single_value("epochs", ITERS)
    logger.report_single_value("best", 0.875)  # re-reported: the last value wins
    logger.report_scatter2d("scatter", "points", scatter=np.array([[0, 1], [1, 3], [2, 5]]), iteration=ITERS - 1)
    logger.report_histogram("hist", "counts", values=[1, 4, 2], iteration=ITERS - 1)
    logger.report_confusion_matrix("confusion", "ignored", matrix=np.array([[3, 1], [0, 4]]), iteration=ITERS - 1)
    for i in range(10):
        logger.report_text(f"console line {i}")
        logger.flush()  # one console event per line (the SDK merges buffered lines into one event)
        time.sleep(0.01)
    task.flush(wait_for_uploads=True)
    print(f"TASK_ID={task.id}")
    task.close()


if __name__ == "__main__":
    main()
