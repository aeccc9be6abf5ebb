"""Milestone CNNs: what LeNet-5, AlexNet and SENet introduced, and the seed's accuracy and compute figures."""

from __future__ import annotations

from .base import conceptual

# ------------------------------------------------------------------ AlexNet

conceptual(
    "alexnet_tanh",
    title="AlexNet used saturating units",
    feedback="AlexNet's first innovation was ReLU, max(0, x): it does not saturate, so the paper's net reached 25 % "
    "CIFAR-10 training error six times faster than with tanh (LeNet's unit). The zoo's AlexNet has ReLU after every "
    "conv and hidden FC layer.",
    claim="tanh units, as LeNet-5 used.",
)

conceptual(
    "alexnet_dropout_everywhere",
    title="Dropout after every AlexNet layer",
    feedback="AlexNet applies dropout (p = 0.5) only to the first two fully connected layers, where 96 % of its "
    "parameters (and its overfitting) are; the conv layers have none.",
    claim="After every convolutional layer, with p = 0.5.",
)

conceptual(
    "alexnet_dropout_rate",
    title="A small dropout rate",
    feedback="AlexNet drops each hidden FC unit with probability 0.5, half of them, at every training step; at test "
    "time all units are kept (Keras scales during training instead).",
    claim="In the first two fully connected layers, with p = 0.1.",
)

conceptual(
    "alexnet_batchnorm",
    title="AlexNet used BatchNorm",
    feedback="BatchNorm is from 2015 (Ioffe & Szegedy); AlexNet (2012) normalised with local response normalisation "
    "after conv1 and conv2, and regularised with dropout and data augmentation.",
    claim="BatchNorm after every conv layer instead of dropout.",
)

conceptual(
    "alexnet_layer_count",
    title="AlexNet's layers miscounted",
    feedback="AlexNet has eight learned layers: five convolutional and three fully connected (the last is the "
    "1000-way classifier). Its three max-pools and two LRN layers have no weights.",
    claim="Eight convolutional layers and three fully connected layers.",
)

conceptual(
    "alexnet_data_parallel",
    title="AlexNet's two GPUs as data parallelism",
    feedback="AlexNet split the *model* over its two GTX 580s (3 GB each was too small for it): each GPU held half the "
    "kernels of every layer, and conv2, conv4 and conv5 saw only the maps on their own GPU. In Keras that is a "
    "grouped conv, groups=2, which halves those layers' weights.",
    claim="Each GPU ran a full copy of the network on half of every batch.",
)

conceptual(
    "alexnet_params_in_convs",
    title="AlexNet's weights are in its convs",
    feedback="About 96 % of AlexNet's parameters (58.6 M of 61 M) are in its three FC layers: fc6 alone maps the "
    "6·6·256 = 9,216 pooled features to 4,096 units, 37.7 M weights. The five convs hold 2.3 M.",
    claim="Most of its parameters are in the five convolutional layers.",
)

conceptual(
    "alexnet_small_margin",
    title="AlexNet won by a small margin",
    feedback="AlexNet won ILSVRC-2012 with 15.3 % top-5 test error against 26.2 % for the runner-up (the seed rounds "
    "to 16 % vs 26 %): almost 11 points, the margin that turned computer vision to deep learning.",
    claim="It won ILSVRC-2012 by about one point of top-5 error.",
)

conceptual(
    "alexnet_no_augmentation",
    title="AlexNet trained without augmentation",
    feedback="With 61 M parameters AlexNet overfit ImageNet's 1.2 M images badly without augmentation: it trained on "
    "random 224×224 crops of the 256×256 images, their horizontal flips, and PCA colour jitter (plus dropout).",
    claim="It needed no data augmentation: 1.2 million ImageNet images were enough.",
)

# ------------------------------------------------------------------ LeNet-5

conceptual(
    "lenet_no_subsampling",
    title="LeNet-5 without subsampling",
    feedback="LeNet-5 alternates convolution and subsampling (pooling): C1 → S2 → C3 → S4, then the fully connected "
    "layers. conv → pool → conv → pool → FC is the template every later CNN copies.",
    claim="conv → conv → conv → flatten → FC → FC (no pooling).",
)

conceptual(
    "lenet_pool_first",
    title="LeNet-5 pools before it convolves",
    feedback="Each LeNet-5 stage convolves first and then subsamples the feature maps (C1 then S2, C3 then S4): the "
    "pooling summarises features, it does not come before there are any.",
    claim="pool → conv → pool → conv → flatten → FC → FC.",
)

conceptual(
    "lenet_fc_first",
    title="LeNet-5's dense layers come first",
    feedback="The dense layers come last in LeNet-5: convs and pools extract local features with few shared weights, "
    "then F5/F6 combine them and the output layer classifies.",
    claim="flatten → FC → FC → conv → pool → conv → softmax.",
)

conceptual(
    "lenet_as_alexnet",
    title="LeNet-5 at AlexNet's scale",
    feedback="LeNet-5 has about 60 thousand parameters (61,706 in the Keras textbook version, exactly 60,000 "
    "trainable in the 1998 paper); 60 million is AlexNet, a thousand times larger.",
    claim="About 60 million.",
)

# ------------------------------------------------------------------ SENet

conceptual(
    "se_macs_like_params",
    title="SE costs as much compute as parameters",
    feedback="The SE gates' two FC layers run once per image on the pooled 1×1×C vector, so their 2.5 M weights cost "
    "only 2.5 M MACs. On ResNet-50's 4.09 GMACs that is +0.06 %: parameters grow by ~10 %, compute almost not at all.",
    claim="SE adds about 10 % to ResNet-50's compute, as it does to its parameters.",
)

conceptual(
    "se_free_in_params",
    title="SE is free in parameters too",
    feedback="SE is almost free in *compute* only: each gate's FC layers hold 2·C²/r weights (r = 16), 2.53 M over "
    "ResNet-50's 16 blocks, +9.9 % parameters (the paper's '~10 %').",
    claim="SE adds almost no parameters either (well under 1 %).",
)

conceptual(
    "se_gain_overstated",
    title="SE's accuracy gain overstated",
    feedback="Hu et al. report ResNet-50's top-1 error falling from 24.80 % to 23.29 % with SE: 1.5 points (the seed "
    "rounds to '+1 %'). A gain that size for +0.06 % compute is why SE blocks spread to later networks.",
    claim="About 5 points of top-1 accuracy.",
)

conceptual(
    "se_spatial_gate",
    title="SE gates positions",
    feedback="SE squeezes space away (global average pooling) and gates each *channel*: one sigmoid weight per "
    "channel, the same at every position. It is channel attention, not a spatial attention map.",
    claim="It learns a weight for every spatial position (a spatial attention map).",
)

# ------------------------------------------------------------------ the seed's figures

conceptual(
    "figures_of_another_model",
    title="Another network's figures",
    feedback="Those are another network's figures. In the seed's table: AlexNet 56.5 % / 0.71 GMACs, VGG-19 74.2 % / "
    "19.6, ResNet-50 76.1 % / 4.09, DenseNet-161 77.1 % / 7.73, Inception-v3 77.3 % / 5.71, MobileNet-v1 70.6 % / "
    "0.57, EfficientNet-B0 77.7 % / 0.39 (top-1 / GMACs).",
    claim="A figure quoted for a different network.",
)

conceptual(
    "bigger_is_more_accurate",
    title="More compute means more accuracy",
    feedback="Size alone does not buy accuracy: VGG-19 (143.7 M parameters, 19.6 GMACs) reaches 74.2 % top-1 while "
    "EfficientNet-B0 (5.3 M, 0.39 GMACs) reaches 77.7 %. Bottlenecks, depthwise-separable convs and compound scaling "
    "made that difference, not raw size.",
    claim="The network with the most parameters and MACs.",
)

conceptual(
    "newer_is_more_accurate",
    title="The newer network is the more accurate",
    feedback="A later network is not always more accurate: MobileNet-v1 (2017) trades accuracy (70.6 % top-1) for "
    "speed, with 7× fewer MACs (0.57 G vs 4.09 G for ResNet-50, 2015, 76.1 %). Compare the published figures, not the dates.",
    claim="The most recent network.",
)
