import { runTierMain } from '@cdnlab/tier';

void runTierMain('regional');
