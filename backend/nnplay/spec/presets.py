"""Ready-made experiments listed by ``GET /api/presets``; each is a complete JobSpec."""

from nnplay.spec.network import JobSpec

LENET = [
    {"type": "conv2d", "out_channels": 6, "kernel_size": 3, "padding": "same"},
    {"type": "relu"},
    {"type": "maxpool2d", "kernel_size": 2},
    {"type": "conv2d", "out_channels": 16, "kernel_size": 3, "padding": "same"},
    {"type": "relu"},
    {"type": "maxpool2d", "kernel_size": 2},
    {"type": "flatten"},
    {"type": "linear", "out_features": 120},
    {"type": "relu"},
    {"type": "linear", "out_features": 84},
    {"type": "relu"},
    {"type": "linear", "out_features": 10},
]

LENET5 = [  # LeCun, Bottou, Bengio & Haffner (1998), Fig. 2, on 28x28 MNIST padded by 2 to the paper's 32x32
    {"type": "conv2d", "out_channels": 6, "kernel_size": 5, "padding": 2},    # C1: 6@28x28
    {"type": "tanh"},
    {"type": "avgpool2d", "kernel_size": 2},                                 # S2: 6@14x14 (subsampling)
    {"type": "conv2d", "out_channels": 16, "kernel_size": 5},                # C3: 16@10x10
    {"type": "tanh"},
    {"type": "avgpool2d", "kernel_size": 2},                                 # S4: 16@5x5
    {"type": "flatten"},
    {"type": "linear", "out_features": 120},                                 # C5: 120 (5x5 conv on 5x5 = dense)
    {"type": "tanh"},
    {"type": "linear", "out_features": 84},                                  # F6: 84
    {"type": "tanh"},
    {"type": "linear", "out_features": 10},                                  # output: 10 classes
]
"""LeNet-5 as published: C1 six 5x5 filters (the 28x28 digits padded by 2, the paper's 32x32 input),
S2 2x2 subsampling, C3 sixteen 5x5 filters, S4 2x2 subsampling, C5 120 units (a 5x5 convolution over
the 5x5 maps, i.e. fully connected), F6 84 units, 10 outputs; tanh squashing. Simplified as is usual:
S2/S4 are plain average pooling (the paper's had one trainable coefficient and bias per map), C3 sees
all six S2 maps (the paper's connection table used subsets), and the output is a linear layer with
softmax cross-entropy instead of Euclidean RBF units."""

ALEXNET_28 = [  # Krizhevsky, Sutskever & Hinton (2012), scaled from 224x224x3 to 28x28x1
    {"type": "conv2d", "out_channels": 24, "kernel_size": 5, "padding": 2},   # conv1: 24@28x28
    {"type": "relu"},
    {"type": "local_response_norm", "size": 5, "alpha": 1e-4, "beta": 0.75, "k": 2.0},
    {"type": "maxpool2d", "kernel_size": 3, "stride": 2},                    # overlapping: 24@13x13
    {"type": "conv2d", "out_channels": 48, "kernel_size": 5, "padding": 2},   # conv2: 48@13x13
    {"type": "relu"},
    {"type": "local_response_norm", "size": 5, "alpha": 1e-4, "beta": 0.75, "k": 2.0},
    {"type": "maxpool2d", "kernel_size": 3, "stride": 2},                    # 48@6x6
    {"type": "conv2d", "out_channels": 64, "kernel_size": 3, "padding": 1},   # conv3: 64@6x6
    {"type": "relu"},
    {"type": "conv2d", "out_channels": 64, "kernel_size": 3, "padding": 1},   # conv4: 64@6x6
    {"type": "relu"},
    {"type": "conv2d", "out_channels": 48, "kernel_size": 3, "padding": 1},   # conv5: 48@6x6
    {"type": "relu"},
    {"type": "maxpool2d", "kernel_size": 3, "stride": 2},                    # 48@2x2
    {"type": "flatten"},                                                     # 192
    {"type": "dropout", "p": 0.5},
    {"type": "linear", "out_features": 128},                                 # fc6
    {"type": "relu"},
    {"type": "dropout", "p": 0.5},
    {"type": "linear", "out_features": 128},                                 # fc7
    {"type": "relu"},
    {"type": "linear", "out_features": 10},                                  # fc8
]
"""AlexNet's design at MNIST scale: what it keeps is five convolutions (the first two larger, 5x5 here
for AlexNet's 11x11 stride 4 and 5x5), ReLU after each, local response normalisation after the first
two, overlapping 3x3 stride-2 max pooling after conv1, conv2 and conv5, and a three-layer classifier
with dropout 0.5 before the two hidden ones. What is scaled down: one 28x28 grey input instead of
224x224x3, channels 24-48-64-64-48 instead of 96-256-384-384-256, 128-unit hidden layers instead of
4096 (164,314 parameters, not 60 million), one device (no two-GPU split), and no data augmentation."""

_RAW = [
    ("logreg_digits", "Logistic regression on digits",
     "Multinomial logistic regression: one linear layer on the 64 pixels, softmax cross-entropy. "
     "The baseline every network must beat. Open the Weights tab: each class's 64 weights drawn as an 8x8 "
     "template, red pixels voting for the class and blue against it; a digit's score for a class is the "
     "image times that template, summed, plus the bias.",
     {"name": "logistic regression on digits", "dataset": {"name": "digits"},
      "network": {"layers": [{"type": "flatten"}, {"type": "linear", "out_features": 10}]},
      "training": {"optimizer": "adam", "lr": 0.01, "epochs": 30, "batch_size": 32}}),
    ("mlp_digits", "MLP on digits",
     "A multilayer perceptron: two hidden ReLU layers on the flattened pixels. The Weights tab draws the "
     "first 16 hidden units' weights as 8x8 pictures: the strokes each unit looks for.",
     {"name": "MLP on digits", "dataset": {"name": "digits"},
      "network": {"layers": [{"type": "flatten"}, {"type": "linear", "out_features": 128}, {"type": "relu"},
                             {"type": "linear", "out_features": 64}, {"type": "relu"},
                             {"type": "linear", "out_features": 10}]},
      "training": {"optimizer": "adam", "lr": 0.002, "epochs": 25, "batch_size": 32}}),
    ("lenet_digits", "LeNet on digits",
     "A LeNet-style CNN (LeCun et al., 1998) sized for 8x8 digits: two conv + ReLU + max-pool stages, "
     "then three linear layers. Watch the feature maps of one sample digit sharpen.",
     {"name": "LeNet on digits", "dataset": {"name": "digits"}, "network": {"layers": LENET},
      "training": {"optimizer": "adam", "lr": 0.002, "epochs": 30, "batch_size": 32}}),
    ("lenet5_mnist", "LeNet-5 on MNIST (28x28)",
     "LeNet-5 as LeCun et al. (1998) published it: 5x5 convolutions (6 then 16 maps), 2x2 subsampling, "
     "120-84-10 with tanh, on 5,000 real 28x28 MNIST digits (4,000 to train). Feature maps at 28x28 and "
     "14x14 show the strokes each filter picks up. With only 4,000 training digits the net overfits, so each "
     "epoch moves every training digit by up to 2 pixels and turns it by up to 10 degrees (training.augment; "
     "Simard et al. 2003): the test accuracy goes from 0.964-0.970 (10 epochs, no augmentation) to "
     "0.977-0.980 (20 epochs, augmented), seeds 0-2.",
     {"name": "LeNet-5 on MNIST", "dataset": {"name": "mnist"}, "network": {"layers": LENET5},
      "training": {"optimizer": "adam", "lr": 0.003, "lr_schedule": {"type": "cosine"}, "epochs": 20,
                   "batch_size": 32, "augment": {"shift": 2, "rotate": 10.0}}}),
    ("alexnet_mnist", "AlexNet-style CNN on MNIST (28x28)",
     "AlexNet's recipe (Krizhevsky et al. 2012) scaled to 28x28: five convolutions with ReLU, local "
     "response normalisation, overlapping 3x3/2 max pooling and a dropout classifier; channels and "
     "hidden units cut to fit MNIST and a CPU. Like AlexNet it trains on moved copies of its images "
     "(training.augment: up to 2 pixels, up to 10 degrees): 0.972-0.978 test accuracy after 20 epochs, "
     "seeds 0-2 (0.959-0.962 after 10 plain epochs).",
     {"name": "AlexNet-style on MNIST", "dataset": {"name": "mnist"}, "network": {"layers": ALEXNET_28},
      "training": {"optimizer": "adam", "lr": 0.002, "lr_schedule": {"type": "cosine"}, "epochs": 20,
                   "batch_size": 32, "augment": {"shift": 2, "rotate": 10.0}}}),
    ("mlp_spiral", "MLP on spiral",
     "Two interleaved spiral arms are not linearly separable: a 2-hidden-layer tanh MLP bends the boundary.",
     {"name": "MLP on spiral", "dataset": {"name": "spiral", "n_samples": 600, "noise": 0.1},
      "network": {"layers": [{"type": "linear", "out_features": 32}, {"type": "tanh"},
                             {"type": "linear", "out_features": 32}, {"type": "tanh"},
                             {"type": "linear", "out_features": 2}]},
      "training": {"optimizer": "adam", "lr": 0.01, "epochs": 200, "batch_size": 32}}),
    ("play_spiral", "Watch it learn: MLP on spiral",
     "The page's opening net: press ▶ (Play). The tanh MLP with two hidden layers of 8 units below, in slow "
     "motion (at most 100 optimizer steps a second; empty 'steps/s' runs at full speed): watch the loss fall "
     "and the decision boundary bend, ❚❚ pauses it, Step then takes one step. In the Neurons tab each unit is "
     "drawn over the input plane, and its +/- buttons add neurons and layers to the network.",
     {"name": "tanh MLP 2x8 on spiral (slow motion)",
      "dataset": {"name": "spiral", "n_samples": 400, "noise": 0.1, "seed": 0},
      "network": {"layers": [{"type": "linear", "out_features": 8}, {"type": "tanh"},
                             {"type": "linear", "out_features": 8}, {"type": "tanh"},
                             {"type": "linear", "out_features": 2}]},
      "training": {"optimizer": "adam", "lr": 0.01, "epochs": 200, "batch_size": 16, "seed": 0,
                   "max_steps_per_s": 100}}),
    ("tanh_spiral", "Tanh MLP (2x8) on spiral",
     "Two hidden tanh layers of 8 units on the spiral (noise 0.1): small enough to watch every unit in the "
     "Neurons tab, and it still reaches about 0.96 test accuracy with this seed.",
     {"name": "tanh MLP 2x8 on spiral", "dataset": {"name": "spiral", "n_samples": 400, "noise": 0.1, "seed": 0},
      "network": {"layers": [{"type": "linear", "out_features": 8}, {"type": "tanh"},
                             {"type": "linear", "out_features": 8}, {"type": "tanh"},
                             {"type": "linear", "out_features": 2}]},
      "training": {"optimizer": "adam", "lr": 0.01, "epochs": 200, "batch_size": 16, "seed": 0}}),
    ("deep_sigmoid_circle", "Vanishing gradients: 9x32 sigmoid",
     "Nine hidden sigmoid layers of 32 units with torch's default init, trained by Adam at a large lr (0.03). "
     "At step 0 no unit is saturated, yet the Gradient flow tab already shows the gradient fading toward the "
     "input, about 10^7 from the last hidden layer to the first: each sigmoid layer multiplies it by σ' ≤ 1/4 "
     "and small weights. Then watch the Activations heatmap: the large steps grow the top layers' weights until "
     "their units saturate (|z| > 4.4, σ' < 1/80): the top row (layer 17) climbs from 0 to about two thirds "
     "of its units within the 30 epochs, and layers 5-13 follow (layer 15 mostly stays unsaturated), while the "
     "Gradient flow tab shows the gradient of the linear layers feeding them falling about 100x. The net stays at chance: saturated top "
     "layers pass almost no gradient down (Glorot & Bengio 2010 saw top sigmoid layers saturate the same way).",
     {"name": "deep sigmoid net on circle", "dataset": {"name": "circle", "seed": 0},
      "network": {"layers": [layer for _ in range(9) for layer in
                             ({"type": "linear", "out_features": 32}, {"type": "sigmoid"})]
                  + [{"type": "linear", "out_features": 2}]},
      # a probe every epoch: the saturation heatmap's 30 columns show the climb the text describes
      "training": {"optimizer": "adam", "lr": 0.03, "epochs": 30, "batch_size": 32, "seed": 0, "probe_every": 10}}),
    ("linreg_plane", "Linear regression on plane",
     "Least squares by gradient descent: one linear layer, squared-error loss, full-batch SGD. The data is "
     "y = 2 x1 - 3 x2 + 0.5 + noise. Under the network table, the learned w1, w2 and b approach the "
     "least-squares solution (computed exactly from the same training points) as the loss falls.",
     {"name": "linear regression on plane", "dataset": {"name": "plane", "n_samples": 400, "noise": 0.1},
      "network": {"layers": [{"type": "linear", "out_features": 1}]},
      "training": {"optimizer": "sgd", "lr": 0.1, "loss": "mse", "epochs": 100, "batch_size": "full"}}),
    ("mlp_sine", "MLP on sine",
     "Nonlinear regression: a tanh MLP fits y = sin(x) from noisy samples; the red curve is its prediction.",
     {"name": "MLP on sine", "dataset": {"name": "sine", "n_samples": 400, "noise": 0.1},
      "network": {"layers": [{"type": "linear", "out_features": 32}, {"type": "tanh"},
                             {"type": "linear", "out_features": 32}, {"type": "tanh"},
                             {"type": "linear", "out_features": 1}]},
      "training": {"optimizer": "adam", "lr": 0.01, "loss": "mse", "epochs": 60, "batch_size": 32}}),
]


def _recurrent(cell: str, hidden: int, out: int, **extra) -> list[dict]:
    return [{"type": cell, "hidden_size": hidden, **extra}, {"type": "linear", "out_features": out}]


ADDING = {"name": "adding", "seq_len": 50, "n_samples": 4000}
ADDING_TRAINING = {"optimizer": "adam", "lr": 0.01, "epochs": 10, "batch_size": 32, "loss": "mse",
                   "grad_clip": 1.0, "seed": 0}
CHAR_VOCAB = 74  # "<unk>" and the 73 characters of the training part of the plays (test_fraction 0.2)

AUTOENCODER = [
    {"type": "flatten"},
    {"type": "linear", "out_features": 64}, {"type": "tanh"},
    {"type": "linear", "out_features": 32}, {"type": "tanh"},
    {"type": "linear", "out_features": 2},
    {"type": "linear", "out_features": 32}, {"type": "tanh"},
    {"type": "linear", "out_features": 64}, {"type": "tanh"},
    {"type": "linear", "out_features": 64},
]

_RAW += [
    ("lstm_sunspots", "LSTM forecaster on sunspots",
     "Yearly sunspot numbers 1700-2008: an LSTM reads the last 22 years and predicts the next one. The "
     "forecast plot compares it with the actual series and with repeating the last value (the baseline "
     "to beat) over 1947-2008; the gate heatmaps show what each unit does along one sample window.",
     {"name": "LSTM on sunspots", "dataset": {"name": "sunspots", "window": 22},
      "network": {"layers": _recurrent("lstm", 32, 1)},
      "training": {"optimizer": "adam", "lr": 0.01, "epochs": 60, "batch_size": 16, "loss": "mse"}}),
    ("gru_co2", "GRU forecaster on Mauna Loa CO2",
     "Monthly CO2 at Mauna Loa 1958-2001: a GRU reads 24 months and predicts the next, the seasonal cycle "
     "on a rising trend. Reset and update gates are shown along one sample window.",
     {"name": "GRU on CO2", "dataset": {"name": "co2", "window": 24},
      "network": {"layers": _recurrent("gru", 32, 1)},
      "training": {"optimizer": "adam", "lr": 0.01, "epochs": 40, "batch_size": 16, "loss": "mse"}}),
    ("char_lstm_shakespeare", "Character LSTM on Shakespeare",
     "A character-level language model on eight Shakespeare plays: an embedding, an LSTM and a linear "
     "layer predict the next character at every step (loss in nats per character). Gate heatmaps show "
     "the characters along the time axis; generated text appears as it trains.",
     {"name": "char-LSTM on Shakespeare", "dataset": {"name": "shakespeare_chars", "seq_len": 100},
      "network": {"layers": [{"type": "embedding", "embedding_dim": 32},
                             {"type": "lstm", "hidden_size": 128, "return_sequences": True},
                             {"type": "linear", "out_features": CHAR_VOCAB}]},
      "training": {"optimizer": "adam", "lr": 0.005, "epochs": 3, "batch_size": 64, "grad_clip": 1.0, "temperature": 0.8, "sample_length": 200}}),
    ("rnn_adding", "RNN on the adding problem (vs LSTM)",
     "The adding problem, 50 steps: sum the two marked values. A vanilla tanh RNN cannot carry the first "
     "value that far (its test MSE stays near 0.17, the cost of always answering 1); the gradient-through-"
     "time heatmap shows why: dL/dh_t vanishes toward t = 1. Run 'LSTM on the adding problem' with the "
     "same seed to compare.",
     {"name": "RNN on adding (50 steps)", "dataset": ADDING, "network": {"layers": _recurrent("rnn", 32, 1)},
      "training": ADDING_TRAINING}),
    ("lstm_adding", "LSTM on the adding problem (vs RNN)",
     "The same adding problem, data, seed and budget as 'RNN on the adding problem', with an LSTM: its "
     "cell state carries the marked values, the MSE falls below 0.01 and dL/dh_t stays alive across "
     "all 50 steps.",
     {"name": "LSTM on adding (50 steps)", "dataset": ADDING, "network": {"layers": _recurrent("lstm", 32, 1)},
      "training": ADDING_TRAINING}),
    ("skipgram_shakespeare", "Skip-gram on Shakespeare",
     "word2vec skip-gram with negative sampling (Mikolov et al. 2013) on 8 plays: each word learns a 50-number "
     "vector from the words around it. Watch the 150 most frequent words arrange themselves (PCA), and ask "
     "for neighbours and analogies.",
     {"name": "skip-gram on Shakespeare", "dataset": {"name": "shakespeare_words"},
      "network": {"type": "word2vec", "model": "skipgram", "embedding_dim": 50, "window": 5, "negatives": 5,
                  "min_count": 10, "subsample": 0.001, "projection_words": 150},
      "training": {"optimizer": "sgd", "lr": 0.025, "epochs": 5, "batch_size": 1024}}),
    ("cbow_milton", "Word embeddings: CBOW on Milton",
     "CBOW (Mikolov et al. 2013): the mean of the context words' vectors predicts the centre word, against 5 "
     "noise words (negative sampling), with word2vec's CBOW update and learning rate (0.05, decaying to 0), as "
     "gensim trains it. Words seen 10+ times in Paradise Lost and Regained.",
     {"name": "CBOW on Milton", "dataset": {"name": "milton_words"},
      "network": {"type": "word2vec", "model": "cbow", "embedding_dim": 50, "window": 5, "negatives": 5,
                  "min_count": 10, "subsample": 0.001, "projection_words": 100},
      "training": {"optimizer": "sgd", "lr": 0.05, "epochs": 10, "batch_size": 256}}),
    ("autoencoder_digits", "Autoencoder on digits (2-D code)",
     "An MLP squeezes each 8x8 digit into 2 numbers and rebuilds it (mse against the input; labels unused). "
     "The codes of the test digits, coloured by their true label, cluster by digit; k-means on them is "
     "scored against the labels (ARI) beside PCA to 2-D.",
     {"name": "autoencoder on digits", "dataset": {"name": "digits", "target": "input"},
      "network": {"layers": AUTOENCODER},
      "training": {"optimizer": "adam", "lr": 0.002, "epochs": 30, "batch_size": 32, "loss": "mse"}}),
    ("attention_reverse", "Self-attention reverses digits",
     "One self-attention layer with 2 heads (learned positions, no recurrence) reverses 8 digits. Open the "
     "Attention tab: a head that solves it attends from position i to position 7-i, the anti-diagonal.",
     {"name": "attention on reverse", "dataset": {"name": "reverse", "n_samples": 4000, "seq_len": 8},
      "network": {"layers": [{"type": "embedding", "embedding_dim": 32},
                             {"type": "positional_encoding", "kind": "learned", "max_len": 8},
                             {"type": "self_attention", "num_heads": 2},
                             {"type": "linear", "out_features": 10}]},
      "training": {"optimizer": "adam", "lr": 0.003, "epochs": 3, "batch_size": 32}}),
    ("transformer_sort", "Transformer sorts digits",
     "A 1-layer, 4-head transformer sorts 8 digits (about 0.99 of digits right after 5 epochs). Unlike "
     "reversing, no fixed position pattern solves it: each output position must compare every digit with "
     "every other to find the one of its rank, so the heads spread over the digits competing for that rank.",
     {"name": "transformer on sort", "dataset": {"name": "sort", "n_samples": 4000, "seq_len": 8},
      "network": {"layers": [{"type": "embedding", "embedding_dim": 32},
                             {"type": "positional_encoding", "kind": "learned", "max_len": 8},
                             {"type": "transformer_encoder", "num_layers": 1, "num_heads": 4,
                              "dim_feedforward": 64, "dropout": 0.0, "norm_first": True},
                             {"type": "linear", "out_features": 10}]},
      "training": {"optimizer": "adam", "lr": 0.003, "epochs": 5, "batch_size": 32}}),
    ("attention_dates", "Cross-attention: dates to ISO",
     "'6 december 2026' -> '2026-12-06', character by character. A bidirectional GRU reads the source, a GRU "
     "decoder the answer so far (teacher forcing); each output character attends to the source (additive "
     "attention, Bahdanau et al. 2015). Open the Cross attention tab: the alignment forms as it learns, the "
     "year's digits to the year, the month to its name, the day to the day, in either word order.",
     {"name": "encoder-decoder on dates", "dataset": {"name": "dates", "n_samples": 4000},
      "network": {"layers": [{"type": "embedding", "embedding_dim": 32},
                             {"type": "cross_attention", "source_len": 18, "num_heads": 1, "score": "additive"},
                             {"type": "linear", "out_features": 41}]},
      "training": {"optimizer": "adam", "lr": 0.005, "epochs": 4, "batch_size": 32}}),
    ("transformer_shakespeare", "Causal transformer, Shakespeare",
     "A 2-layer, 4-head pre-norm transformer with a causal mask predicts the next character of Shakespeare "
     "(64 characters of context). Heads only look back (the upper triangle stays empty); some learn to "
     "attend to the previous character, others to the start of the word.",
     {"name": "causal transformer on Shakespeare", "dataset": {"name": "shakespeare_chars", "seq_len": 64},
      "network": {"layers": [{"type": "embedding", "embedding_dim": 64},
                             {"type": "positional_encoding", "kind": "learned", "max_len": 64},
                             {"type": "transformer_encoder", "num_layers": 2, "num_heads": 4,
                              "dim_feedforward": 256, "dropout": 0.0, "activation": "gelu",
                              "norm_first": True, "causal": True},
                             {"type": "linear", "out_features": 74}]},
      "training": {"optimizer": "adam", "lr": 0.006, "epochs": 4, "batch_size": 32}}),
    ("transformer_authors", "Transformer: who wrote it?",
     "One line of verse in, its author out: a 1-layer transformer reads the characters (padding masked), "
     "averages them (mean pooling) and classifies. The heads show which characters the model compares.",
     {"name": "transformer on authors", "dataset": {"name": "authors", "n_samples": 4000, "seq_len": 64},
      "network": {"layers": [{"type": "embedding", "embedding_dim": 32},
                             {"type": "positional_encoding", "kind": "learned", "max_len": 64},
                             {"type": "transformer_encoder", "num_layers": 1, "num_heads": 4,
                              "dim_feedforward": 64, "dropout": 0.1, "activation": "gelu", "norm_first": True},
                             {"type": "sequence_pool", "mode": "mean"},
                             {"type": "linear", "out_features": 2}]},
      "training": {"optimizer": "adam", "lr": 0.002, "epochs": 6, "batch_size": 32}}),
]

PRESETS: list[dict] = [
    {"id": pid, "title": title, "description": desc, "spec": JobSpec.model_validate(spec)}
    for pid, title, desc, spec in _RAW
]
