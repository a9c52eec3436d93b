package dev.smoothguard.trainer.train;

import ai.djl.training.tracker.Tracker;

/**
 * A DJL learning-rate tracker whose value the training loop sets before each step, so the schedule
 * can follow progress measured in steps or in time (see {@link Progress}) and survive a resume
 * (DJL's own trackers count updates from zero in every process).
 */
final class ScheduledRate implements Tracker {
  private volatile float rate;

  void set(double rate) {
    this.rate = (float) rate;
  }

  @Override
  public float getNewValue(int numUpdate) {
    return rate;
  }
}
